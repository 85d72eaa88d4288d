import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  effectiveProjectRole,
  isOrgPermission,
  isProjectPermission,
  ORG_ROLE_PERMISSIONS,
  PROJECT_ROLE_PERMISSIONS,
  SLUG_PATTERN,
  type OrgPermission,
  type OrgRole,
  type Permission,
  type ProjectPermission,
  type ProjectRole,
  type ProjectVisibility,
} from '@trackbase/contracts';
import type { DataSource } from 'typeorm';
import type { Principal } from '../context/principal';
import type { OrgScope, ProjectScope } from '../context/request-context';

/**
 * The one place that answers "who may do what where". Lookups run in system
 * scope with explicit membership filters: an organization or project the
 * principal cannot see is reported as absent, exactly like a missing one.
 */
@Injectable()
export class AccessService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async resolveOrg(principal: Principal, slug: string): Promise<OrgScope | null> {
    if (!SLUG_PATTERN.test(slug)) return null;
    const rows: Array<{ id: string; slug: string; name: string; role: OrgRole }> = await this.dataSource.query(
      `SELECT o.id, o.slug, o.name, m.role
         FROM organizations o
         JOIN org_members m ON m.organization_id = o.id AND m.user_id = $2
        WHERE o.slug = $1`,
      [slug, principal.userId],
    );
    return rows[0] ?? null;
  }

  async resolveProject(principal: Principal, org: OrgScope, slug: string): Promise<ProjectScope | null> {
    if (!SLUG_PATTERN.test(slug)) return null;
    const rows: Array<{ id: string; slug: string; name: string; visibility: ProjectVisibility; member_role: ProjectRole | null }> =
      await this.dataSource.query(
        `SELECT p.id, p.slug, p.name, p.visibility, pm.role AS member_role
           FROM projects p
           LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = $3
          WHERE p.organization_id = $1 AND p.slug = $2`,
        [org.id, slug, principal.userId],
      );
    const row = rows[0];
    if (!row) return null;
    const role = effectiveProjectRole(org.role, row.member_role, row.visibility);
    if (!role) return null;
    return { id: row.id, slug: row.slug, name: row.name, visibility: row.visibility, role };
  }

  allows(permission: Permission, org: OrgScope | null, project: ProjectScope | null): boolean {
    if (isProjectPermission(permission)) {
      return !!project && PROJECT_ROLE_PERMISSIONS[project.role].includes(permission as ProjectPermission);
    }
    if (isOrgPermission(permission)) {
      return !!org && ORG_ROLE_PERMISSIONS[org.role].includes(permission as OrgPermission);
    }
    return true;
  }
}
