import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { GlobalPermission, type Permission } from '@trackbase/contracts';
import { PERMISSION_KEY } from '../../common/access/require-permission.decorator';
import { unauthenticated } from '../../common/errors/app-error';
import { tokenExpired } from '../auth.errors';

/**
 * Authenticates every non-public route from `Authorization: Bearer ...`,
 * accepting an access token (JWT) or an API key.
 */
@Injectable()
export class PrincipalGuard extends AuthGuard(['jwt', 'api-key']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(execution: ExecutionContext) {
    if (execution.getType() !== 'http') return true;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (permission === GlobalPermission.Public) return true;
    return super.canActivate(execution);
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error) throw error;
    if (!user) {
      const infos = Array.isArray(info) ? info : [info];
      if (infos.some((i) => i instanceof Error && i.name === 'TokenExpiredError')) throw tokenExpired();
      throw unauthenticated();
    }
    return user;
  }
}
