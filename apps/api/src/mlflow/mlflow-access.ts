import { applyDecorators, createParamDecorator, SetMetadata, UseFilters, type ExecutionContext } from '@nestjs/common';
import { OrgPermission, type ProjectPermission } from '@trackbase/contracts';
import { AccessCached } from '../common/access/access-cache';
import { RequirePermission } from '../common/access/require-permission.decorator';
import type { RequestWithContext } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { MlflowErrorFilter } from './mlflow-error.filter';

export const MLFLOW_PERMISSION_KEY = 'trackbase:mlflow-permission';

/**
 * MLflow routes name the organization in the URL and the experiment or run in
 * the body, so the global guard checks membership of the organization
 * (`org:read`) and the domain checks `permission` on the project of the
 * experiment or run it resolves (listed beside the route in the permission snapshot).
 * Every MLflow call is a hot one (the fluent client sends runs/get before each
 * log_metric), so the organization membership comes from the access cache.
 */
export const RequireMlflow = (permission: ProjectPermission | 'org:projects:create') =>
  applyDecorators(RequirePermission(OrgPermission.Read), AccessCached(), SetMetadata(MLFLOW_PERMISSION_KEY, permission));

/** The MLflow error shape for every route of a controller, guards' refusals included. */
export const MlflowRoutes = () => UseFilters(MlflowErrorFilter);

/** What a handler needs: the org-scoped request context and the project permission its route declares. */
export interface MlflowRequest {
  ctx: RequestContext;
  permission: ProjectPermission;
}

export const Mlflow = createParamDecorator((_: unknown, execution: ExecutionContext): MlflowRequest => {
  const request = execution.switchToHttp().getRequest<RequestWithContext>();
  const permission = Reflect.getMetadata(MLFLOW_PERMISSION_KEY, execution.getHandler()) as ProjectPermission | undefined;
  if (!request.ctx || !permission) throw new Error('MLflow route without @RequireMlflow');
  return { ctx: request.ctx, permission };
});
