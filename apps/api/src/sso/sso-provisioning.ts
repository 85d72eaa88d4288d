import type { OrgRole, ProjectRole } from '@trackbase/contracts';
import type { StoredGroupMapping } from './sso.repository';

const ORG_RANK: Record<OrgRole, number> = { member: 0, admin: 1, owner: 2 };
const PROJECT_RANK: Record<ProjectRole, number> = { viewer: 0, contributor: 1, maintainer: 2 };

export interface WantedRoles {
  orgRole: OrgRole;
  projects: Map<string, ProjectRole>;
}

/** The groups a claim lists: an array of strings, or one string (some providers send a single group so). */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/**
 * What the user's groups give: the highest organization role any matching mapping names (else the default role),
 * and for each project the highest project role.
 */
export function wantedRoles(groups: string[], mappings: StoredGroupMapping[], defaultOrgRole: OrgRole): WantedRoles {
  const member = new Set(groups);
  let orgRole: OrgRole = defaultOrgRole;
  const projects = new Map<string, ProjectRole>();
  for (const mapping of mappings) {
    if (!member.has(mapping.group)) continue;
    if (mapping.orgRole && ORG_RANK[mapping.orgRole] > ORG_RANK[orgRole]) orgRole = mapping.orgRole;
    for (const { projectId, role } of mapping.projects) {
      const had = projects.get(projectId);
      if (!had || PROJECT_RANK[role] > PROJECT_RANK[had]) projects.set(projectId, role);
    }
  }
  return { orgRole, projects };
}
