import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  AccountErrorCode,
  AuthErrorCode,
  GlobalPermission,
  isOrgPermission,
  isProjectPermission,
  SsoErrorCode,
  type Permission,
} from '@trackbase/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AppError, forbidden, notFound, unauthenticated } from '../errors/app-error';
import type { RequestWithContext } from '../context/ctx.decorator';
import type { Principal } from '../context/principal';
import { RequestContext } from '../context/request-context';
import { ACCESS_CACHED_KEY, AccessCache } from './access-cache';
import { AccessService } from './access.service';
import { PERMISSION_KEY, SESSION_KEY } from './require-permission.decorator';

export type HttpRequest = RequestWithContext & {
  params: Record<string, string | undefined>;
  protocol: string;
  method: string;
  get(name: string): string | undefined;
};

/** What a route declares about access: its permission, whether only sessions may call it, whether scopes may come from the cache. */
export interface RouteAccess {
  permission: Permission;
  sessionOnly: boolean;
  cached: boolean;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Deny by default: runs after authentication on every route, resolves the
 * organization and project named in the URL against the principal's
 * memberships, checks the declared permission and builds the request context.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: AccessCache,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    if (execution.getType() !== 'http') return true;
    const request = execution.switchToHttp().getRequest<HttpRequest>();
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (!permission) {
      this.logger.error(`route ${execution.getClass().name}.${execution.getHandler().name} declares no permission`);
      throw new AppError(403, 'route_not_declared', 'this route declares no permission and is refused');
    }
    request.ctx = await this.authorize(request, {
      permission,
      sessionOnly: this.reflector.get<boolean>(SESSION_KEY, execution.getHandler()) === true,
      cached: this.reflector.get<boolean>(ACCESS_CACHED_KEY, execution.getHandler()) === true,
    });
    return true;
  }

  /**
   * The request context of an authenticated request (`request.user` set, or null on a public route) for a route
   * declaring `route`, or the refusal. `canActivate` calls it for every Nest route; the lean batch route calls it
   * with the batch route's own declaration.
   */
  async authorize(request: HttpRequest, route: RouteAccess): Promise<RequestContext> {
    const { permission } = route;
    const principal = (request.user as Principal | undefined) ?? null;
    if (permission === GlobalPermission.Public) {
      return this.withOrigin(new RequestContext(request.id, principal), request);
    }
    if (!principal) throw unauthenticated();
    if (principal.via !== 'session' && route.sessionOnly)
      throw new AppError(
        403,
        AuthErrorCode.SessionRequired,
        'API keys cannot manage API keys: sign in to the web app (or use a session token) for this',
      );
    // Account-level writes (creating organizations, accepting invitations) reach beyond any one organization or
    // project, so only a key without limits may make them; reading (GET) is narrowed by the services.
    const limits = principal.keyLimits;
    if (
      permission === GlobalPermission.Authenticated &&
      limits &&
      (limits.readOnly || limits.organizationId) &&
      !SAFE_METHODS.has(request.method)
    )
      throw new AppError(
        403,
        AuthErrorCode.KeyScope,
        'this API key is read-only or limited to an organization; this needs a key without limits',
      );

    const needsOrg = isOrgPermission(permission) || isProjectPermission(permission);
    const orgSlug = request.params.org ?? '';
    const projectSlug = request.params.project ?? '';
    const resolve = async () => {
      const org = needsOrg ? await this.access.resolveOrg(principal, orgSlug, { enforceSso: false }) : null;
      const project = org && isProjectPermission(permission) ? await this.access.resolveProject(principal, org, projectSlug) : null;
      return { org, project };
    };
    const cached = needsOrg && route.cached;
    const scopeKey = isProjectPermission(permission) ? projectSlug : null;
    const { org, project } = cached
      ? await this.cache.resolve(principal.userId, orgSlug, scopeKey, resolve, principal.apiKeyId)
      : await resolve();
    // The slugs named are the caller's own words: saying them back reveals nothing about what exists.
    if (needsOrg && !org) throw notFound(`organization "${orgSlug}"`);
    if (org && !this.access.ssoSatisfied(principal, org))
      throw new AppError(
        403,
        SsoErrorCode.Required,
        'this organization requires single sign-on: sign in through its identity provider (passwords and personal API keys are refused here)',
      );
    if (org?.twoFactorMissing && principal.kind === 'human')
      throw new AppError(
        403,
        AccountErrorCode.TwoFactorRequired,
        'this organization requires two-factor authentication: enable it on your account page, then try again',
      );
    if (isProjectPermission(permission) && !project) throw notFound(`project "${orgSlug}/${projectSlug}"`);
    if (!this.access.allows(permission, org, project)) throw forbidden();

    return this.withOrigin(new RequestContext(request.id, principal, org, project), request);
  }

  private withOrigin(ctx: RequestContext, request: HttpRequest): RequestContext {
    ctx.origin = this.config.PUBLIC_URL ?? `${request.protocol}://${request.get('host') ?? 'localhost'}`;
    return ctx;
  }
}
