/**
 * Roles and permissions. The API enforces them; the web app reads the same
 * tables to hide what a role cannot do.
 */
export const ORG_ROLES = ['owner', 'admin', 'member'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export const PROJECT_ROLES = ['viewer', 'contributor', 'maintainer'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const PROJECT_VISIBILITIES = ['private', 'org'] as const;
export type ProjectVisibility = (typeof PROJECT_VISIBILITIES)[number];

/** Permissions checked within an organization (route has `{org}`). */
export const OrgPermission = {
  Read: 'org:read',
  Update: 'org:update',
  Delete: 'org:delete',
  MembersRead: 'org:members:read',
  MembersManage: 'org:members:manage',
  InvitationsManage: 'org:invitations:manage',
  ServiceAccountsManage: 'org:service-accounts:manage',
  AuditRead: 'org:audit:read',
  ProjectsCreate: 'org:projects:create',
  /** List, restore and purge the organization's trashed projects. */
  TrashManage: 'org:trash:manage',
  /** Configure single sign-on (provider, domains, group mappings, requiring it): owners only. */
  SsoManage: 'org:sso:manage',
  /** Create and revoke the organization's SCIM provisioning tokens: owners only. */
  ScimManage: 'org:scim:manage',
  /** Grant, change or remove the owner role (members, invitations): owners only. */
  OwnersManage: 'org:owners:manage',
  /** Edit and delete any report of the organization, those drawing on no project included. */
  ReportsManage: 'org:reports:manage',
} as const;
export type OrgPermission = (typeof OrgPermission)[keyof typeof OrgPermission];

/** Permissions checked within a project (route has `{org}` and `{project}`). */
export const ProjectPermission = {
  Read: 'project:read',
  Update: 'project:update',
  Delete: 'project:delete',
  MembersManage: 'project:members:manage',
  RunsWrite: 'project:runs:write',
  CommentsWrite: 'project:comments:write',
  ArtifactsWrite: 'project:artifacts:write',
  ArtifactsManage: 'project:artifacts:manage',
  /** Save views shared with the project and set the project's default view. */
  ViewsShare: 'project:views:share',
  /** List, restore and purge the project's trash (runs, artifact versions); set and apply its retention policy. */
  TrashManage: 'project:trash:manage',
} as const;
export type ProjectPermission = (typeof ProjectPermission)[keyof typeof ProjectPermission];

/** Permissions that need no organization: anyone, or any signed-in principal. */
export const GlobalPermission = {
  Public: 'public',
  Authenticated: 'authenticated',
} as const;
export type GlobalPermission = (typeof GlobalPermission)[keyof typeof GlobalPermission];

export type Permission = OrgPermission | ProjectPermission | GlobalPermission;

export const ORG_ROLE_PERMISSIONS: Record<OrgRole, readonly OrgPermission[]> = {
  owner: Object.values(OrgPermission),
  admin: Object.values(OrgPermission).filter(
    (p) =>
      p !== OrgPermission.Delete && p !== OrgPermission.SsoManage && p !== OrgPermission.ScimManage && p !== OrgPermission.OwnersManage,
  ),
  member: [OrgPermission.Read, OrgPermission.MembersRead, OrgPermission.ProjectsCreate],
};

const VIEWER: readonly ProjectPermission[] = [ProjectPermission.Read];
const CONTRIBUTOR: readonly ProjectPermission[] = [
  ...VIEWER,
  ProjectPermission.RunsWrite,
  ProjectPermission.CommentsWrite,
  ProjectPermission.ArtifactsWrite,
  ProjectPermission.ViewsShare,
];
const MAINTAINER: readonly ProjectPermission[] = Object.values(ProjectPermission);

export const PROJECT_ROLE_PERMISSIONS: Record<ProjectRole, readonly ProjectPermission[]> = {
  viewer: VIEWER,
  contributor: CONTRIBUTOR,
  maintainer: MAINTAINER,
};

export function isOrgPermission(p: string): p is OrgPermission {
  return p.startsWith('org:');
}

export function isProjectPermission(p: string): p is ProjectPermission {
  return p.startsWith('project:');
}

/** Org roles that act as maintainers of every project of their organization, private ones included. */
export const ORG_ROLES_MAINTAINING_EVERY_PROJECT: readonly OrgRole[] = ['owner', 'admin'];
/** The visibility that lets every member of the organization read a project (as a viewer). */
export const ORG_READABLE_VISIBILITY: ProjectVisibility = 'org';

/**
 * Who can read a project: an org owner or admin, a project member, or any org member when the project is
 * org-visible. effectiveProjectRole decides it in TypeScript; projectReadableSql (apps/api common/access)
 * writes the same rule in SQL from the same constants.
 *
 * The project role a principal effectively holds. Org owners and admins act
 * as maintainers everywhere; any org member reads an org-visible project.
 * `null` means the project is invisible to them (answered as 404).
 */
export function effectiveProjectRole(orgRole: OrgRole, projectRole: ProjectRole | null, visibility: ProjectVisibility): ProjectRole | null {
  if (ORG_ROLES_MAINTAINING_EVERY_PROJECT.includes(orgRole)) return 'maintainer';
  if (projectRole) return projectRole;
  return visibility === ORG_READABLE_VISIBILITY ? 'viewer' : null;
}
