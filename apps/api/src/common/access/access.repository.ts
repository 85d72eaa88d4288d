import { Injectable } from '@nestjs/common';
import type { OrgRole, ProjectRole, ProjectVisibility } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';

/** An organization with the principal's role in it. */
export interface OrgMembershipRow {
  id: string;
  slug: string;
  name: string;
  role: OrgRole;
  require_sso: boolean;
  /** The organization requires two-factor and this user has not enabled it. */
  two_factor_missing: boolean;
}

/** A project with the principal's own project role (null when not a member); the effective role is derived in TypeScript. */
export interface ProjectMembershipRow {
  id: string;
  slug: string;
  name: string;
  visibility: ProjectVisibility;
  member_role: ProjectRole | null;
}

/**
 * The SQL behind request scoping. It runs before a request context exists, on
 * the data source in system scope, with explicit membership filters.
 */
@Injectable()
export class AccessRepository {
  async orgMembership(db: Pick<EntityManager, 'query'>, slug: string, userId: string): Promise<OrgMembershipRow | undefined> {
    const rows: OrgMembershipRow[] = await db.query(
      `SELECT o.id, o.slug, o.name, m.role, coalesce(c.enabled AND c.require_sso, false) AS require_sso,
              o.require_two_factor AND NOT EXISTS (
                SELECT 1 FROM user_two_factor t WHERE t.user_id = $2 AND t.confirmed_at IS NOT NULL) AS two_factor_missing
         FROM organizations o
         JOIN org_members m ON m.organization_id = o.id AND m.user_id = $2
         LEFT JOIN org_sso_configs c ON c.organization_id = o.id
        WHERE o.slug = $1`,
      [slug, userId],
    );
    return rows[0];
  }

  async projectMembership(
    db: Pick<EntityManager, 'query'>,
    organizationId: string,
    slug: string,
    userId: string,
  ): Promise<ProjectMembershipRow | undefined> {
    const rows: ProjectMembershipRow[] = await db.query(
      `SELECT p.id, p.slug, p.name, p.visibility, pm.role AS member_role
           FROM projects p
           LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = $3
          WHERE p.organization_id = $1 AND p.slug = $2 AND p.deleted_at IS NULL`,
      [organizationId, slug, userId],
    );
    return rows[0];
  }
}
