import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { loginRequestSchema } from '@trackbase/contracts';
import { badRequest } from '../../common/errors/app-error';
import { zodDetails } from '../../common/errors/error.filter';

/** Validates the login body before passport-local sees it, so bad input is a 400, not a 401. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override canActivate(execution: ExecutionContext) {
    const request = execution.switchToHttp().getRequest<{ body: unknown }>();
    const parsed = loginRequestSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest('validation_failed', 'request is not valid', zodDetails(parsed.error));
    request.body = parsed.data;
    return super.canActivate(execution);
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    return user;
  }
}
