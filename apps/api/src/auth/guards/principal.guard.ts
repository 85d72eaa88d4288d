import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GlobalPermission, type Permission } from '@trackbase/contracts';
import { PERMISSION_KEY } from '../../common/access/require-permission.decorator';
import type { Principal } from '../../common/context/principal';
import { BearerAuthService, type CredentialSource } from '../bearer-auth.service';

/**
 * Authenticates every non-public route from `Authorization: Bearer ...`,
 * accepting an access token (JWT) or an API key (`BearerAuthService.authenticateRequest`,
 * which the lean batch route calls too), and puts the principal on `request.user`.
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly bearer: BearerAuthService,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    if (execution.getType() !== 'http') return true;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (permission === GlobalPermission.Public) return true;
    await this.authenticate(execution.switchToHttp().getRequest<CredentialSource & { user?: Principal }>());
    return true;
  }

  /** Sets `request.user` to the request's principal, or refuses with 401 (the lean batch route calls this too). */
  async authenticate(request: CredentialSource & { user?: Principal }): Promise<Principal> {
    request.user = await this.bearer.authenticateRequest(request);
    return request.user;
  }
}
