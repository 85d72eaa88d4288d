import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './sso-sign-in.service';
import { groupsFromClaim, wantedRoles } from './sso-provisioning';

const mappings = [
  { group: 'admins', orgRole: 'admin' as const, projects: [{ projectId: 'p1', role: 'maintainer' as const }] },
  {
    group: 'research',
    projects: [
      { projectId: 'p1', role: 'viewer' as const },
      { projectId: 'p2', role: 'contributor' as const },
    ],
  },
  { group: 'founders', orgRole: 'owner' as const, projects: [] },
];

describe('group mapping', () => {
  it('gives the highest organization role and, per project, the highest project role of the groups', () => {
    const wanted = wantedRoles(['research', 'admins'], mappings, 'member');
    expect(wanted.orgRole).toBe('admin');
    expect(Object.fromEntries(wanted.projects)).toEqual({ p1: 'maintainer', p2: 'contributor' });
    expect(wantedRoles(['founders', 'admins'], mappings, 'member').orgRole).toBe('owner');
  });

  it('falls back to the default role and no project roles without a matching group', () => {
    const wanted = wantedRoles(['unmapped'], mappings, 'admin');
    expect(wanted.orgRole).toBe('admin');
    expect(wanted.projects.size).toBe(0);
  });

  it('reads a groups claim given as a list or a single string, and ignores anything else', () => {
    expect(groupsFromClaim(['a', 3, 'b'])).toEqual(['a', 'b']);
    expect(groupsFromClaim('solo')).toEqual(['solo']);
    expect(groupsFromClaim({ a: 1 })).toEqual([]);
    expect(groupsFromClaim(undefined)).toEqual([]);
  });
});

describe('the return path after sign-in', () => {
  it('stays on this site', () => {
    expect(safeReturnPath('/acme/vision?tab=runs')).toBe('/acme/vision?tab=runs');
    expect(safeReturnPath('/sso/complete?next=%2Facme#frag')).toBe('/sso/complete?next=%2Facme');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', 'evil', undefined, '/a\r\nSet-Cookie: x=1']) {
      expect(safeReturnPath(bad)).toBe('/');
    }
  });
});
