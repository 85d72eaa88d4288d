import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RequestContext } from './request-context';

export interface RequestWithContext {
  id: string;
  user?: unknown;
  ctx?: RequestContext;
}

/** Injects the request context built by the access guard. */
export const Ctx = createParamDecorator((_: unknown, execution: ExecutionContext): RequestContext => {
  const request = execution.switchToHttp().getRequest<RequestWithContext>();
  if (!request.ctx) throw new Error('request context missing: is the access guard registered?');
  return request.ctx;
});
