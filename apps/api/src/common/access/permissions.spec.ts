import { GlobalPermission, OrgPermission, ProjectPermission } from '@trackbase/contracts';
import { describe, expect, it } from 'vitest';
import { RequestContext, type OrgScope, type ProjectScope } from '../context/request-context';

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

  it('without a project scope no project permission holds; global ones always do', () => {
    const ctx = new RequestContext('r', null, org('owner'));
    expect(ctx.can(ProjectPermission.Update)).toBe(false);
    expect(ctx.can(GlobalPermission.Public)).toBe(true);
  });
});
