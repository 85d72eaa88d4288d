import { GlobalPermission, OrgPermission, ProjectPermission } from '@trackbase/contracts';
import { describe, expect, it } from 'vitest';
import { RequestContext, type OrgScope, type ProjectScope } from '../context/request-context';
import { projectRoleIn } from './permissions';

const org = (role: OrgScope['role']): OrgScope => ({ id: 'o', slug: 'o', name: 'O', role });
const project = (role: ProjectScope['role']): ProjectScope => ({ id: 'p', slug: 'p', name: 'P', visibility: 'org', role });

describe('ctx.can reads the role matrix', () => {
  it('a project viewer cannot update the project, a maintainer can', () => {
    expect(new RequestContext('r', null, org('member'), project('viewer')).can(ProjectPermission.Update)).toBe(false);
    expect(new RequestContext('r', null, org('member'), project('maintainer')).can(ProjectPermission.Update)).toBe(true);
  });

  it('contributors may share views but not manage artifacts', () => {
    const ctx = new RequestContext('r', null, org('member'), project('contributor'));
    expect(ctx.can(ProjectPermission.ViewsShare)).toBe(true);
    expect(ctx.can(ProjectPermission.ArtifactsManage)).toBe(false);
  });

  it('an org member cannot manage members, an admin can', () => {
    expect(new RequestContext('r', null, org('member')).can(OrgPermission.MembersManage)).toBe(false);
    expect(new RequestContext('r', null, org('admin')).can(OrgPermission.MembersManage)).toBe(true);
  });

  it('only owners grant or remove the owner role; owners and admins manage every report', () => {
    expect(new RequestContext('r', null, org('owner')).can(OrgPermission.OwnersManage)).toBe(true);
    expect(new RequestContext('r', null, org('admin')).can(OrgPermission.OwnersManage)).toBe(false);
    expect(new RequestContext('r', null, org('admin')).can(OrgPermission.ReportsManage)).toBe(true);
    expect(new RequestContext('r', null, org('member')).can(OrgPermission.ReportsManage)).toBe(false);
  });

  it("asked about another project, the answer is that project scope's role (none for an invisible one)", () => {
    const ctx = new RequestContext('r', null, org('member'), project('viewer'));
    expect(ctx.can(ProjectPermission.RunsWrite, project('contributor'))).toBe(true);
    expect(ctx.can(ProjectPermission.RunsWrite)).toBe(false);
    expect(ctx.can(ProjectPermission.Read, null)).toBe(false);
  });

  it('without a project scope no project permission holds; global ones always do', () => {
    const ctx = new RequestContext('r', null, org('owner'));
    expect(ctx.can(ProjectPermission.Update)).toBe(false);
    expect(ctx.can(GlobalPermission.Public)).toBe(true);
  });
});

describe("an API key's scope narrows the roles", () => {
  const readOnly = { readOnly: true, organizationId: null, projectIds: null };
  const onlyP = { readOnly: false, organizationId: 'o', projectIds: ['p'] };

  it('a read-only key of an owner reads, and holds no write or managing permission', () => {
    const ctx = new RequestContext('r', null, { ...org('owner'), limits: readOnly }, { ...project('maintainer'), limits: readOnly });
    expect(ctx.can(ProjectPermission.Read)).toBe(true);
    expect(ctx.can(OrgPermission.MembersRead)).toBe(true);
    for (const p of [
      OrgPermission.AuditRead,
      ProjectPermission.RunsWrite,
      ProjectPermission.Delete,
      OrgPermission.ServiceAccountsManage,
      OrgPermission.ProjectsCreate,
    ])
      expect(ctx.can(p), p).toBe(false);
  });

  it('a project-limited key keeps its roles on its project but only reads the organization', () => {
    const scoped = { ...org('admin'), limits: onlyP };
    expect(new RequestContext('r', null, scoped, { ...project('maintainer'), limits: onlyP }).can(ProjectPermission.Delete)).toBe(true);
    expect(new RequestContext('r', null, scoped).can(OrgPermission.Read)).toBe(true);
    expect(new RequestContext('r', null, scoped).can(OrgPermission.MembersManage)).toBe(false);
    expect(new RequestContext('r', null, scoped).can(OrgPermission.ProjectsCreate)).toBe(false);
  });

  it('a project-limited key does not see other projects, whatever the role', () => {
    expect(projectRoleIn({ role: 'owner', limits: onlyP }, 'p', null, 'private')).toBe('maintainer');
    expect(projectRoleIn({ role: 'owner', limits: onlyP }, 'q', null, 'org')).toBeNull();
    expect(projectRoleIn({ role: 'owner' }, 'q', null, 'private')).toBe('maintainer');
  });
});
