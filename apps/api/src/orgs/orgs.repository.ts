import { Injectable } from '@nestjs/common';
import type { OrgRole } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';

/** An organization with the caller's role in it. */
export interface MyOrgRow {
  id: string;
  slug: string;
  name: string;
  created_at: Date;
  role: OrgRole;
}

export interface OrgMemberRow {
  user_id: string;
  email: string | null;
  name: string;
  kind: 'human' | 'service';
  role: OrgRole;
  created_at: Date;
}

/** The hand-written SQL of organizations and their memberships. */
@Injectable()
export class OrgsRepository {
  /** The organizations the caller belongs to (system scope: spans tenants, filtered by membership). */
  listMine(ctx: RequestContext): Promise<MyOrgRow[]> {
    return ctx.em.query(
      `SELECT o.id, o.slug, o.name, o.created_at, m.role
         FROM organizations o JOIN org_members m ON m.organization_id = o.id
        WHERE m.user_id = $1
        ORDER BY o.name, o.slug`,
      [ctx.user.userId],
    );
  }

  members(ctx: RequestContext): Promise<OrgMemberRow[]> {
    return ctx.em.query(
      `SELECT m.user_id, u.email, u.name, u.kind, m.role, m.created_at
           FROM org_members m JOIN users u ON u.id = m.user_id
          WHERE m.organization_id = $1
          ORDER BY u.kind, u.name, u.email`,
      [ctx.organization.id],
    );
  }

  /** Whether a member of the current organization has this email (compared case-insensitively). */
  async hasMemberWithEmail(ctx: RequestContext, email: string): Promise<boolean> {
    const member: unknown[] = await ctx.em.query(
      `SELECT 1 FROM org_members m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND lower(u.email) = lower($2)`,
      [ctx.organization.id, email],
    );
    return member.length > 0;
  }

  /** Locks the current organization's row until the transaction ends (serialises membership changes). */
  async lockOrganization(ctx: RequestContext): Promise<void> {
    await ctx.em.query(`SELECT id FROM organizations WHERE id = $1 FOR UPDATE`, [ctx.organization.id]);
  }
}
