import {
  ORG_READABLE_VISIBILITY,
  ORG_ROLES_MAINTAINING_EVERY_PROJECT,
  isOrgPermission,
  isProjectPermission,
  ORG_ROLE_PERMISSIONS,
  PROJECT_ROLE_PERMISSIONS,
  type OrgPermission,
  type Permission,
  type ProjectPermission,
} from '@trackbase/contracts';
import type { OrgScope, ProjectScope } from '../context/request-context';

/**
 * The role matrix, read in one place: whether a principal with these scopes holds `permission`. The access guard
 * asks it for a route's declared permission; services ask it through `ctx.can` for checks within a route.
 * A project permission needs a project scope, an organization permission an organization scope; global ones always hold.
 */
export function allows(permission: Permission, org: OrgScope | null, project: ProjectScope | null): boolean {
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
