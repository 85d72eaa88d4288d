import {
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
