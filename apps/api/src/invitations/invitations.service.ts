import { Injectable } from '@nestjs/common';
import { OrgPermission, type CreateInvitationInput, type CreatedInvitation, type Invitation, type Org } from '@trackbase/contracts';
import { accountLinks } from '../account/account-links';
import { AuditService } from '../audit/audit.service';
import { MailService } from '../mail/mail.service';
import { randomToken, sha256 } from '../auth/secret-token';
import type { RequestContext } from '../common/context/request-context';
import { forbidden, notFound } from '../common/errors/app-error';
import { OrgMemberEntity } from '../orgs/org-member.entity';
import { OrganizationEntity } from '../orgs/organization.entity';
import { ownerOnly } from '../orgs/orgs.errors';
import { OrgsRepository } from '../orgs/orgs.repository';
import { UserEntity } from '../users/user.entity';
import { InvitationEntity } from './invitation.entity';
import { alreadyMember, invitationExpired, invitationNotForYou, invitationUsed } from './invitations.errors';

export const INVITATION_TOKEN_PATTERN = /^tbi_[A-Za-z0-9_-]{43}$/;

@Injectable()
export class InvitationsService {
  constructor(
    private readonly audit: AuditService,
    private readonly orgs: OrgsRepository,
    private readonly mail: MailService,
  ) {}

  async create(ctx: RequestContext, input: CreateInvitationInput): Promise<CreatedInvitation> {
    if (input.role === 'owner' && !ctx.can(OrgPermission.OwnersManage)) throw ownerOnly();
    if (await this.orgs.hasMemberWithEmail(ctx, input.email)) throw alreadyMember();
    const token = `tbi_${randomToken(32)}`;
    const saved = await ctx.em.save(
      InvitationEntity,
      ctx.em.create(InvitationEntity, {
        organizationId: ctx.organization.id,
        email: input.email,
        role: input.role,
        tokenHash: sha256(token),
        invitedBy: ctx.user.userId,
        expiresAt: new Date(Date.now() + input.expiresInHours * 3_600_000),
      }),
    );
    await this.audit.record(ctx, {
      action: 'invitation.created',
      targetType: 'invitation',
      targetId: saved.id,
      details: { email: input.email, role: input.role },
    });
    const inviter = await ctx.em.findOneBy(UserEntity, { id: ctx.user.userId });
    const url = accountLinks.invitation(ctx.origin, token);
    const orgName = ctx.organization.name;
    ctx.afterCommit(() =>
      this.mail.dispatch({
        to: input.email,
        content: {
          subject: `${inviter?.name ?? 'Someone'} invited you to ${orgName} on Trackbase`,
          paragraphs: [
            `${inviter?.name ?? 'Someone'} invited you to join the organization ${orgName} on Trackbase as ${input.role}.`,
            `Sign in (or sign up) with this email address, ${input.email}, to accept. The invitation expires on ${saved.expiresAt.toUTCString()}.`,
          ],
          action: { label: 'Accept the invitation', url },
          footer: ['If you did not expect this, ignore this email.'],
        },
      }),
    );
    return { ...toInvitationDto(saved), token, acceptPath: `/api/v1/invitations/${token}/accept` };
  }

  async list(ctx: RequestContext): Promise<Invitation[]> {
    const rows = await ctx.em.find(InvitationEntity, { where: { organizationId: ctx.organization.id }, order: { createdAt: 'DESC' } });
    return rows.map(toInvitationDto);
  }

  async revoke(ctx: RequestContext, id: string): Promise<void> {
    const invitation = await ctx.em.findOneBy(InvitationEntity, { id, organizationId: ctx.organization.id });
    if (!invitation || invitation.revokedAt) throw notFound('invitation');
    if (invitation.acceptedAt) throw invitationUsed();
    await ctx.em.update(InvitationEntity, { id }, { revokedAt: new Date() });
    await this.audit.record(ctx, {
      action: 'invitation.revoked',
      targetType: 'invitation',
      targetId: id,
      details: { email: invitation.email },
    });
  }

  /** Runs in system scope: the caller is not yet a member, the token is their proof. */
  async accept(ctx: RequestContext, token: string): Promise<Org> {
    if (!INVITATION_TOKEN_PATTERN.test(token)) throw notFound('invitation');
    const invitation = await ctx.em
      .createQueryBuilder(InvitationEntity, 'i')
      .setLock('pessimistic_write')
      .where('i.token_hash = :hash', { hash: sha256(token) })
      .getOne();
    if (!invitation || invitation.revokedAt) throw notFound('invitation');
    if (invitation.acceptedAt) throw invitationUsed();
    if (invitation.expiresAt.getTime() <= Date.now()) throw invitationExpired();
    const user = await ctx.em.findOneByOrFail(UserEntity, { id: ctx.user.userId });
    if (user.kind !== 'human') throw forbidden('service accounts cannot accept invitations');
    if (user.email?.toLowerCase() !== invitation.email.toLowerCase()) throw invitationNotForYou();
    const existing = await ctx.em.findOneBy(OrgMemberEntity, { organizationId: invitation.organizationId, userId: user.id });
    if (existing) throw alreadyMember();
    await ctx.em.insert(OrgMemberEntity, { organizationId: invitation.organizationId, userId: user.id, role: invitation.role });
    await ctx.em.update(InvitationEntity, { id: invitation.id }, { acceptedAt: new Date(), acceptedBy: user.id });
    await this.audit.record(
      ctx,
      {
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: invitation.id,
        details: { userId: user.id, role: invitation.role },
      },
      invitation.organizationId,
    );
    const org = await ctx.em.findOneByOrFail(OrganizationEntity, { id: invitation.organizationId });
    return { id: org.id, slug: org.slug, name: org.name, createdAt: org.createdAt.toISOString(), role: invitation.role };
  }
}

function toInvitationDto(i: InvitationEntity): Invitation {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
    acceptedAt: i.acceptedAt?.toISOString() ?? null,
    revokedAt: i.revokedAt?.toISOString() ?? null,
    invitedBy: i.invitedBy,
  };
}
