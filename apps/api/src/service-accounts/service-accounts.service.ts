import { Injectable } from '@nestjs/common';
import {
  type ApiKey,
  type CreatedApiKey,
  type CreatedServiceAccount,
  type CreateServiceAccountInput,
  type CreateApiKeyRequest,
  type ServiceAccount,
} from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import { AccessEvents } from '../common/access/access-events';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { OrgMemberEntity } from '../orgs/org-member.entity';
import { ApiKeysService } from '../users/api-keys.service';
import { UserEntity } from '../users/user.entity';
import { ServiceAccountsRepository } from './service-accounts.repository';

/** Service accounts are users of kind `service` owned by one organization, with ordinary memberships. */
@Injectable()
export class ServiceAccountsService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly accessEvents: AccessEvents,
    private readonly serviceAccounts: ServiceAccountsRepository,
  ) {}

  async list(ctx: RequestContext): Promise<ServiceAccount[]> {
    const rows = await this.serviceAccounts.list(ctx);
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at.toISOString(), createdBy: r.created_by }));
  }

  async create(ctx: RequestContext, input: CreateServiceAccountInput): Promise<CreatedServiceAccount> {
    const user = await ctx.em.save(
      UserEntity,
      ctx.em.create(UserEntity, {
        email: null,
        name: input.name,
        kind: 'service',
        organizationId: ctx.organization.id,
        createdBy: ctx.user.userId,
      }),
    );
    await ctx.em.insert(OrgMemberEntity, { organizationId: ctx.organization.id, userId: user.id, role: input.role });
    const apiKey = await this.apiKeys.create(ctx.em, user.id, {
      name: 'default',
      expiresAt: input.keyExpiresAt,
      readOnly: false,
      organizationId: ctx.organization.id,
      projectIds: null,
    });
    await this.audit.record(ctx, {
      action: 'service_account.created',
      targetType: 'user',
      targetId: user.id,
      details: { name: input.name, role: input.role },
    });
    return {
      serviceAccount: {
        id: user.id,
        name: user.name,
        role: input.role,
        createdAt: user.createdAt.toISOString(),
        createdBy: user.createdBy,
      },
      apiKey,
    };
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const account = await this.find(ctx, id);
    await ctx.em.delete(UserEntity, { id: account.id });
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => {
      this.apiKeys.revoked({ userId: id });
      this.accessEvents.emit('changed', { organizationId, userId: id });
    });
    await this.audit.record(ctx, { action: 'service_account.deleted', targetType: 'user', targetId: id, details: { name: account.name } });
  }

  async listKeys(ctx: RequestContext, id: string): Promise<ApiKey[]> {
    await this.find(ctx, id);
    return this.apiKeys.list(ctx.em, id);
  }

  async createKey(ctx: RequestContext, id: string, input: CreateApiKeyRequest): Promise<CreatedApiKey> {
    await this.find(ctx, id);
    const key = await this.apiKeys.create(ctx.em, id, await this.apiKeys.scopeFor(ctx.user, input, ctx.organization));
    await this.audit.record(ctx, {
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: key.id,
      details: { serviceAccountId: id, prefix: key.prefix, access: key.access, projects: key.projects },
    });
    return key;
  }

  async revokeKey(ctx: RequestContext, id: string, keyId: string): Promise<void> {
    await this.find(ctx, id);
    await this.apiKeys.revoke(ctx.em, id, keyId);
    ctx.afterCommit(() => this.apiKeys.revoked({ keyId }));
    await this.audit.record(ctx, { action: 'api_key.revoked', targetType: 'api_key', targetId: keyId, details: { serviceAccountId: id } });
  }

  private async find(ctx: RequestContext, id: string): Promise<UserEntity> {
    const account = await ctx.em.findOneBy(UserEntity, { id, kind: 'service', organizationId: ctx.organization.id });
    if (!account) throw notFound('service account');
    return account;
  }
}
