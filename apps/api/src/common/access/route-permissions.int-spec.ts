import { Controller, Get } from '@nestjs/common';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { GUARDS_METADATA, PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { AccessGuard } from './access.guard';
import { AccessCache } from './access-cache';
import { AccessService } from './access.service';
import { PERMISSION_KEY, SESSION_KEY } from './require-permission.decorator';
import { MLFLOW_PERMISSION_KEY } from '../../mlflow/mlflow-access';
import { ScimAuthGuard } from '../../scim/scim-access';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** Every route with the permission it declares; a change here shows up in review. */
function routeTable(app: TestApp['app']): string[] {
  const scanner = new MetadataScanner();
  const reflector = app.get(Reflector);
  const rows: string[] = [];
  const controllers = [...app.get(ModulesContainer).values()].flatMap((module) => [...module.controllers.values()]);
  for (const wrapper of controllers) {
    const instance = wrapper.instance as object | undefined;
    if (!instance) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = (instance as Record<string, unknown>)[name] as object;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const permission = reflector.getAllAndOverride<string>(PERMISSION_KEY, [handler as never, wrapper.metatype as never]) ?? 'NONE';
      // MLflow routes name the experiment or run in the body; the domain checks this on its project.
      const inner = Reflect.getMetadata(MLFLOW_PERMISSION_KEY, handler) as string | undefined;
      const session = Reflect.getMetadata(SESSION_KEY, handler) === true ? ' (session only)' : '';
      // SCIM routes are public to the principal guards and authenticated by their own guard (a SCIM token of :org).
      const guards = (Reflect.getMetadata(GUARDS_METADATA, wrapper.metatype as object) ?? []) as unknown[];
      const scim = guards.includes(ScimAuthGuard) ? ' (SCIM token of :org)' : '';
      rows.push(
        `${method} /${[base, path].filter((p) => p && p !== '/').join('/')} -> ${permission}${inner ? ` + ${inner}` : ''}${session}${scim}`,
      );
    }
  }
  return rows.sort();
}

it('every route declares a permission', () => {
  const undeclared = routeTable(t.app).filter((row) => row.endsWith('-> NONE'));
  expect(undeclared).toEqual([]);
});

it('the route table matches the reviewed snapshot', () => {
  expect(routeTable(t.app)).toMatchSnapshot();
});

@Controller('undeclared-probe')
class UndeclaredController {
  @Get()
  probe() {
    return { leaked: true };
  }
}

it('a route without a declaration is refused before anything else happens', async () => {
  const guard = new AccessGuard(t.app.get(Reflector), t.app.get(AccessService), t.config, t.app.get(AccessCache));
  const context = {
    getType: () => 'http',
    getHandler: () => UndeclaredController.prototype.probe,
    getClass: () => UndeclaredController,
    switchToHttp: () => ({ getRequest: () => ({ id: 'test', params: {}, protocol: 'http', get: () => 'localhost' }) }),
  };
  await expect(guard.canActivate(context as never)).rejects.toMatchObject({ status: 403, code: 'route_not_declared' });
});
