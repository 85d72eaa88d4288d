import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type NestInterceptor,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { GlobalPermission } from '@trackbase/contracts';
import type { Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { sameHash, sha256 } from '../auth/secret-token';
import { RequirePermission } from '../common/access/require-permission.decorator';
import type { RequestWithContext } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { ScimErrorFilter } from './scim-error.filter';
import { scimUnauthorized } from './scim.errors';
import { ScimRepository } from './scim.repository';

export const SCIM_TOKEN_PREFIX = 'tbscim_';
/** last_used_at is a hint: written at most this often per token. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The organization a SCIM request acts on, named by its token. */
export interface ScimScope {
  organizationId: string;
  slug: string;
  tokenId: string;
  /** The SCIM base URL of the organization, for `meta.location` and `$ref`. */
  baseUrl: string;
}

/** What a SCIM handler gets: the request context (its transaction, in system scope) and the organization. */
export interface ScimRequest {
  ctx: RequestContext;
  scope: ScimScope;
}

type HttpRequest = RequestWithContext & { scim?: ScimScope; params: Record<string, string | undefined>; headers: Record<string, unknown> };

/**
 * Bearer tokens of SCIM routes: a live token of the organization the URL names. Anything else, another
 * organization's token included, is 401 (RFC 7644 section 3.12); tokens are looked up on every request, so a
 * revoked token stops at once.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: ScimRepository,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const request = execution.switchToHttp().getRequest<HttpRequest>();
    const header = typeof request.headers.authorization === 'string' ? request.headers.authorization : '';
    const match = /^bearer\s+(\S+)$/i.exec(header.trim());
    const token = match?.[1] ?? '';
    if (!token.startsWith(SCIM_TOKEN_PREFIX)) throw scimUnauthorized();
    const prefix = token.slice(SCIM_TOKEN_PREFIX.length).split('_', 1)[0] ?? '';
    if (!/^[0-9a-f]{12}$/.test(prefix)) throw scimUnauthorized();
    const row = await this.repository.tokenByPrefix(this.dataSource, prefix);
    if (!row || !sameHash(row.token_hash, sha256(token)) || row.revoked_at) throw scimUnauthorized();
    if (row.slug !== request.params.org) throw scimUnauthorized();
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS)
      await this.repository.touchToken(this.dataSource, row.id);
    const origin = request.ctx?.origin ?? '';
    request.scim = {
      organizationId: row.organization_id,
      slug: row.slug,
      tokenId: row.id,
      baseUrl: `${origin}/scim/v2/${encodeURIComponent(row.slug)}`,
    };
    return true;
  }
}

/** SCIM answers as `application/scim+json` (RFC 7644 section 3.1). */
@Injectable()
export class ScimContentTypeInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    execution.switchToHttp().getResponse<{ type(t: string): void }>().type('application/scim+json');
    return next.handle();
  }
}

/**
 * A SCIM controller: public to the principal guards (SCIM tokens are not Trackbase credentials), authenticated by
 * ScimAuthGuard, answered in the SCIM error schema.
 */
export const ScimRoutes = () =>
  applyDecorators(
    RequirePermission(GlobalPermission.Public),
    UseGuards(ScimAuthGuard),
    UseFilters(ScimErrorFilter),
    UseInterceptors(ScimContentTypeInterceptor),
  );

export const Scim = createParamDecorator((_: unknown, execution: ExecutionContext): ScimRequest => {
  const request = execution.switchToHttp().getRequest<HttpRequest>();
  if (!request.ctx || !request.scim) throw new Error('SCIM route without ScimAuthGuard');
  return { ctx: request.ctx, scope: request.scim };
});
