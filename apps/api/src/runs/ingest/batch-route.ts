import { Injectable, type NestMiddleware } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Permission } from '@trackbase/contracts';
import type { NextFunction, Request, Response } from 'express';
import { validate } from 'nestjs-zod';
import { PrincipalGuard } from '../../auth/guards/principal.guard';
import { ACCESS_CACHED_KEY } from '../../common/access/access-cache';
import { AccessGuard, type HttpRequest, type RouteAccess } from '../../common/access/access.guard';
import { NO_TRANSACTION_KEY } from '../../common/access/no-transaction.decorator';
import { PERMISSION_KEY, SESSION_KEY } from '../../common/access/require-permission.decorator';
import { RunBatchDto, RunParamDto } from '../dto/runs.dto';
import { RunsController } from '../runs.controller';

/** The route it serves, under the global prefix: `POST /api/v1/orgs/{org}/projects/{project}/runs/{run}/batches`. */
export const BATCH_ROUTE = 'orgs/:org/projects/:project/runs/:run/batches';

/**
 * The lean path of batch ingestion: mounted as an Express route ahead of the
 * router's ~190 routes (`RunsModule.configure`), after the app-wide middleware
 * (request id and pino-http log line, HTTP metrics, the JSON body parser).
 * It does what Nest's pipeline did for `RunsController.ingest`, in the same
 * order, with the same parts: the principal guard's authentication, the access
 * guard's checks (`authorize`, the same access cache), the nestjs-zod
 * validation of the route's param and body DTOs, then the controller method
 * itself, answered as Nest answers it. It never calls `next()` for the route:
 * the Nest route stays declared (OpenAPI, the permission snapshot) and is the
 * handler called here, but its pipeline is not walked. Errors go to Nest's
 * exception handling of middleware, i.e. the global `ErrorFilter`.
 */
@Injectable()
export class BatchRoute implements NestMiddleware {
  private readonly route: RouteAccess;
  private readonly status: number;
  private controller?: RunsController;

  constructor(
    reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly principals: PrincipalGuard,
    private readonly access: AccessGuard,
  ) {
    const handler = RunsController.prototype.ingest;
    const permission = reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, [handler, RunsController]);
    // This path opens no request transaction and has no place for one: the route must declare it needs none.
    if (!permission || reflector.get<boolean>(NO_TRANSACTION_KEY, handler) !== true)
      throw new Error('RunsController.ingest must declare a permission and @NoTransaction() to be served by the lean batch route');
    // The DTOs validated below are the ones the handler declares (ctx, params, body).
    const types = Reflect.getMetadata('design:paramtypes', RunsController.prototype, 'ingest') as unknown[];
    if (types[1] !== RunParamDto || types[2] !== RunBatchDto)
      throw new Error('RunsController.ingest(ctx, params: RunParamDto, body: RunBatchDto) changed: update the lean batch route');
    this.route = {
      permission,
      sessionOnly: reflector.get<boolean>(SESSION_KEY, handler) === true,
      cached: reflector.get<boolean>(ACCESS_CACHED_KEY, handler) === true,
    };
    this.status = reflector.get<number>(HTTP_CODE_METADATA, handler) ?? 201;
  }

  async use(request: Request, response: Response, _next: NextFunction): Promise<void> {
    await this.principals.authenticate(request as unknown as Parameters<PrincipalGuard['authenticate']>[0]);
    const ctx = await this.access.authorize(request as unknown as HttpRequest, this.route);
    const params = validate(request.params, RunParamDto) as RunParamDto;
    const body = validate(request.body, RunBatchDto) as RunBatchDto;
    this.controller ??= this.moduleRef.get(RunsController, { strict: false });
    const ack = await this.controller.ingest(ctx, params, body);
    response.status(this.status).json(ack);
  }
}
