import { Injectable } from '@nestjs/common';
import { SLUG_PATTERN, slugify, type CreateOrgRequest, type Org, type OrgRole, type UpdateOrgRequest } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/context/request-context';
import { forbidden } from '../common/errors/app-error';
import { OrgMemberEntity } from './org-member.entity';
import { OrganizationEntity } from './organization.entity';
import { OrgsRepository } from './orgs.repository';
import { invalidSlug, orgSlugTaken } from './orgs.errors';

@Injectable()
export class OrgsService {
  constructor(
    private readonly audit: AuditService,
    private readonly orgs: OrgsRepository,
  ) {}

  /** The organizations the caller belongs to (system scope: spans tenants, filtered by membership). */
  async listMine(ctx: RequestContext): Promise<Org[]> {
    const only = ctx.user.keyLimits?.organizationId;
    const rows = (await this.orgs.listMine(ctx)).filter((r) => !only || r.id === only);
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, createdAt: r.created_at.toISOString(), role: r.role }));
  }

  async create(ctx: RequestContext, input: CreateOrgRequest): Promise<Org> {
    if (ctx.user.kind !== 'human') throw forbidden('service accounts cannot create organizations');
    const slug = input.slug ?? slugify(input.name);
    if (!SLUG_PATTERN.test(slug)) throw invalidSlug(input.name);
    const inserted = await ctx.em
      .createQueryBuilder()
      .insert()
      .into(OrganizationEntity)
      .values({ slug, name: input.name })
      .orIgnore()
      .returning(['id', 'created_at'])
      .execute();
    const row = inserted.raw[0] as { id: string; created_at: Date } | undefined;
    if (!row) throw orgSlugTaken(slug);
    await ctx.em.insert(OrgMemberEntity, { organizationId: row.id, userId: ctx.user.userId, role: 'owner' });
    await this.audit.record(ctx, { action: 'org.created', targetType: 'organization', targetId: row.id, details: { slug } }, row.id);
    return { id: row.id, slug, name: input.name, createdAt: new Date(row.created_at).toISOString(), role: 'owner' };
  }

  async get(ctx: RequestContext): Promise<Org> {
    const org = await ctx.em.findOneByOrFail(OrganizationEntity, { id: ctx.organization.id });
    return toOrgDto(org, ctx.organization.role);
  }

  async update(ctx: RequestContext, input: UpdateOrgRequest): Promise<Org> {
    const org = await ctx.em.findOneByOrFail(OrganizationEntity, { id: ctx.organization.id });
    if (input.name !== undefined && input.name !== org.name) {
      await this.audit.record(ctx, {
        action: 'org.updated',
        targetType: 'organization',
        targetId: org.id,
        details: { name: { from: org.name, to: input.name } },
      });
      org.name = input.name;
      await ctx.em.save(org);
    }
    return toOrgDto(org, ctx.organization.role);
  }

  /** Deletes the organization and, by cascade, everything it owns. */
  async delete(ctx: RequestContext): Promise<void> {
    await ctx.em.delete(OrganizationEntity, { id: ctx.organization.id });
  }
}

function toOrgDto(org: OrganizationEntity, role: OrgRole): Org {
  return { id: org.id, slug: org.slug, name: org.name, createdAt: org.createdAt.toISOString(), role };
}
