import {
  effectiveProjectRole,
  OrgPermission,
  ProjectPermission,
  ORG_READABLE_VISIBILITY,
  ORG_ROLES_MAINTAINING_EVERY_PROJECT,
  isOrgPermission,
  isProjectPermission,
  ORG_ROLE_PERMISSIONS,
  PROJECT_ROLE_PERMISSIONS,
  type OrgRole,
  type Permission,
  type ProjectRole,
  type ProjectVisibility,
} from '@trackbase/contracts';
import type { KeyLimits } from '../context/principal';
import type { OrgScope, ProjectScope } from '../context/request-context';

/** What a read-only key still holds: reading what members read; nothing else (not even the admins' audit log). */
const READ_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  OrgPermission.Read,
  OrgPermission.MembersRead,
  ProjectPermission.Read,
]);
/** What a key limited to projects holds at the organization level: it can see the organization, not act on it. */
const PROJECT_KEY_ORG_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([OrgPermission.Read, OrgPermission.MembersRead]);

/** Whether an API key's scope leaves `permission` to its user's roles (the roles decide after that). */
export function keyAllows(limits: KeyLimits | undefined, permission: Permission): boolean {
  if (!limits) return true;
  if (limits.readOnly && !READ_PERMISSIONS.has(permission)) return false;
  if (limits.projectIds && isOrgPermission(permission) && !PROJECT_KEY_ORG_PERMISSIONS.has(permission)) return false;
  return true;
}

/**
 * The project role the caller holds on a project of `org`, or null when it is invisible to them (404): the role
 * rule of effectiveProjectRole, and a key limited to projects sees only those. Every path that builds a project
 * scope (the guard, sockets, MLflow, W&B, project lists) asks this.
 */
export function projectRoleIn(
  org: Pick<OrgScope, 'role' | 'limits'>,
  projectId: string,
  memberRole: ProjectRole | null,
  visibility: ProjectVisibility,
): ProjectRole | null {
  if (org.limits?.projectIds && !org.limits.projectIds.includes(projectId)) return null;
  return effectiveProjectRole(org.role as OrgRole, memberRole, visibility);
}

/**
 * The role matrix, read in one place: whether a principal with these scopes holds `permission`. The access guard
 * asks it for a route's declared permission; services ask it through `ctx.can` for checks within a route.
 * A project permission needs a project scope, an organization permission an organization scope; global ones always hold.
 * A scope reached with an API key carries the key's limits, which narrow the roles first (keyAllows).
 */
export function allows(permission: Permission, org: OrgScope | null, project: ProjectScope | null): boolean {
  if (!keyAllows(project?.limits ?? org?.limits, permission)) return false;
  if (isProjectPermission(permission)) {
    return !!project && PROJECT_ROLE_PERMISSIONS[project.role].includes(permission as ProjectPermission);
  }
  if (isOrgPermission(permission)) {
    return !!org && ORG_ROLE_PERMISSIONS[org.role].includes(permission as OrgPermission);
  }
  return true;
}

/**
 * "Can read the project", in SQL: the rule effectiveProjectRole applies in TypeScript (an org owner or admin, any
 * org member of an org-visible project, or a project member), built from the same constants so the two cannot
 * drift. The arguments are SQL expressions: the reader's org role, the project's visibility, and whether the reader
 * is a member of the project. The caller has already established org membership.
 */
export function projectReadableSql(orgRole: string, visibility: string, isProjectMember: string): string {
  const roles = ORG_ROLES_MAINTAINING_EVERY_PROJECT.map((role) => `'${role}'`).join(', ');
  return `${orgRole} IN (${roles}) OR ${visibility} = '${ORG_READABLE_VISIBILITY}'
      OR ${isProjectMember}`;
}

/**
 * "Can read the report", in SQL, as ReportsService.accessOf decides it: named viewer or editor of the report, or
 * able to read every (still existing) project it draws from (a report on no project: every org member). The
 * arguments are SQL expressions: the reader's org role, the reader's user id and the report's id. The caller has
 * already established org membership.
 */
export function reportReadableSql(orgRole: string, userId: string, reportId: string): string {
  const member = `EXISTS (SELECT 1 FROM project_members rpm WHERE rpm.project_id = rrp.id AND rpm.user_id = ${userId})`;
  return `(EXISTS (SELECT 1 FROM report_members rrm WHERE rrm.report_id = ${reportId} AND rrm.user_id = ${userId})
      OR NOT EXISTS (SELECT 1 FROM reports rr JOIN projects rrp ON rrp.id = ANY(rr.project_ids)
        WHERE rr.id = ${reportId} AND NOT (${projectReadableSql(orgRole, 'rrp.visibility', member)})))`;
}
