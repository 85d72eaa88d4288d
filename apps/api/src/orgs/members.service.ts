import { Injectable } from '@nestjs/common';
import { OrgPermission, type OrgMember, type OrgRole } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import { AccessEvents } from '../common/access/access-events';
import type { RequestContext } from '../common/context/request-context';
import { forbidden, notFound } from '../common/errors/app-error';
import { OrgMemberEntity } from './org-member.entity';
import { lastOwner, ownerOnly } from './orgs.errors';
import { OrgsRepository } from './orgs.repository';

@Injectable()
export class MembersService {
  constructor(
    private readonly audit: AuditService,
    private readonly accessEvents: AccessEvents,
    private readonly orgs: OrgsRepository,
  ) {}

  async list(ctx: RequestContext): Promise<OrgMember[]> {
    const rows = await this.orgs.members(ctx);
    return rows.map((r) => ({
      userId: r.user_id,
      email: r.email,
      name: r.name,
      kind: r.kind,
      role: r.role,
      joinedAt: r.created_at.toISOString(),
    }));
  }

  async changeRole(ctx: RequestContext, userId: string, role: OrgRole): Promise<OrgMember> {
    await this.lockOrganization(ctx);
    const member = await this.find(ctx, userId);
    const ownerInvolved = member.role === 'owner' || role === 'owner';
    if (ownerInvolved && !ctx.can(OrgPermission.OwnersManage)) throw ownerOnly();
    if (member.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(ctx);
    if (member.role !== role) {
      await ctx.em.update(OrgMemberEntity, { organizationId: ctx.organization.id, userId }, { role });
      this.notifyAccessChange(ctx, userId);
      await this.audit.record(ctx, {
        action: 'member.role_changed',
        targetType: 'user',
        targetId: userId,
        details: { from: member.role, to: role },
      });
    }
    const updated = (await this.list(ctx)).find((m) => m.userId === userId);
    if (!updated) throw notFound('member');
    return updated;
  }

  /** Anyone may leave; removing someone else needs member management, and an owner needs an owner. */
  async remove(ctx: RequestContext, userId: string): Promise<void> {
    const self = userId === ctx.user.userId;
    if (!self && !ctx.can(OrgPermission.MembersManage)) throw forbidden();
    await this.lockOrganization(ctx);
    const member = await this.find(ctx, userId);
    if (member.role === 'owner') {
      if (!self && !ctx.can(OrgPermission.OwnersManage)) throw ownerOnly();
      await this.assertAnotherOwner(ctx);
    }
    await ctx.em.delete(OrgMemberEntity, { organizationId: ctx.organization.id, userId });
    this.notifyAccessChange(ctx, userId);
    await this.audit.record(ctx, {
      action: self ? 'member.left' : 'member.removed',
      targetType: 'user',
      targetId: userId,
      details: { role: member.role },
    });
  }

  private notifyAccessChange(ctx: RequestContext, userId: string): void {
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => this.accessEvents.emit('changed', { organizationId, userId }));
  }

  private async find(ctx: RequestContext, userId: string): Promise<OrgMemberEntity> {
    const member = await ctx.em.findOneBy(OrgMemberEntity, { organizationId: ctx.organization.id, userId });
    if (!member) throw notFound('member');
    return member;
  }

  /** Serialises membership changes within one organization, so two demotions cannot both pass the last-owner check. */
  private async lockOrganization(ctx: RequestContext): Promise<void> {
    await this.orgs.lockOrganization(ctx);
  }

  private async assertAnotherOwner(ctx: RequestContext): Promise<void> {
    const owners = await ctx.em.countBy(OrgMemberEntity, { organizationId: ctx.organization.id, role: 'owner' });
    if (owners <= 1) throw lastOwner();
  }
}
