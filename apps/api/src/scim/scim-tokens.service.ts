import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { paths, type CreatedScimToken, type ScimToken } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import { sha256 } from '../auth/secret-token';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { SCIM_TOKEN_PREFIX } from './scim-access';
import { ScimRepository, type ScimTokenRow } from './scim.repository';

function toDto(row: ScimTokenRow): ScimToken {
  return {
    id: row.id,
    name: row.name,
    prefix: `${SCIM_TOKEN_PREFIX}${row.prefix}`,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/**
 * The organization's SCIM tokens, kept by its owners: `tbscim_<prefix>_<secret>`, stored as SHA-256, shown once.
 * A revoked token is refused from the next request on (tokens are not cached).
 */
@Injectable()
export class ScimTokensService {
  constructor(
    private readonly repository: ScimRepository,
    private readonly audit: AuditService,
  ) {}

  async list(ctx: RequestContext): Promise<ScimToken[]> {
    return (await this.repository.listTokens(ctx.em, ctx.organization.id)).map(toDto);
  }

  async create(ctx: RequestContext, name: string): Promise<CreatedScimToken> {
    const prefix = randomBytes(6).toString('hex');
    const token = `${SCIM_TOKEN_PREFIX}${prefix}_${randomBytes(32).toString('hex')}`;
    const row = await this.repository.createToken(ctx.em, ctx.organization.id, name, prefix, sha256(token), ctx.user.userId);
    await this.audit.record(ctx, { action: 'scim_token.created', targetType: 'scim_token', targetId: row.id, details: { name } });
    return { ...toDto(row), token, baseUrl: `${ctx.origin}${paths.scimBase(ctx.organization.slug)}` };
  }

  async revoke(ctx: RequestContext, id: string): Promise<void> {
    const revoked = await this.repository.revokeToken(ctx.em, ctx.organization.id, id);
    if (revoked === undefined) throw notFound('SCIM token');
    if (revoked) await this.audit.record(ctx, { action: 'scim_token.revoked', targetType: 'scim_token', targetId: id });
  }
}
