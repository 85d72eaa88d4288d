import type { Project, ProjectPermission } from '@trackbase/contracts';
import { PROJECT_ROLE_PERMISSIONS } from '@trackbase/contracts';

/** Whether the current user's role in `project` grants `permission` (false while the project loads). */
export function can(project: Project | undefined, permission: ProjectPermission): boolean {
  return !!project && PROJECT_ROLE_PERMISSIONS[project.role].includes(permission);
}
