import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addOrgMember,
  createOrg,
  createProject,
  createServiceAccount,
  setProjectRole,
  signup,
  uniqueSlug,
  type ApiClient,
  type TestUser,
} from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';

/**
 * Every org and project route against every kind of caller. Outcomes:
 * `ok` (2xx), `forbidden` (403: may see, may not act), `hidden` (404: may not
 * even see), `unauthenticated` (401). Destructive routes get fresh fixtures per caller.
 *
 * The owner's API keys with scopes are callers too: a read-only key, a key limited to the private project
 * (asked on it, and on the org-visible project the owner could otherwise see), and an expired key. Their
 * outcomes are derived from the owner's (see expectedFor), so a route added here is covered by them at once.
 */
type Outcome = 'ok' | 'forbidden' | 'hidden' | 'unauthenticated';
const ACTORS = [
  'owner',
  'admin',
  'maintainer',
  'contributor',
  'viewer',
  'memberNoRole',
  'memberOnOrgProject',
  'outsider',
  'bot',
  'readOnlyKey',
  'projectKey',
  'projectKeyOnOtherProject',
  'expiredKey',
] as const;
type Actor = (typeof ACTORS)[number];

interface World {
  org: string;
  project: string; // private
  openProject: string; // visibility org
  clients: Record<Actor, ApiClient>;
  ids: { owner: string; viewer: string; bot: string; invitation: string; serviceAccount: string };
}

let t: TestApp;

async function buildWorld(): Promise<World> {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private')).slug;
  const openProject = (await createProject(owner, org, 'org')).slug;
  const admin = await addOrgMember(owner, org, 'admin');
  const members: Record<string, TestUser> = {};
  for (const role of ['maintainer', 'contributor', 'viewer'] as const) {
    members[role] = await addOrgMember(owner, org, 'member', role);
    await setProjectRole(owner, org, project, members[role]!.id, role);
  }
  const memberNoRole = await addOrgMember(owner, org, 'member');
  const outsider = await signup(t.url, 'Outsider');
  await createOrg(outsider);
  const bot = await createServiceAccount(owner, org, 'member');
  await setProjectRole(owner, org, project, bot.serviceAccount.id, 'contributor');
  const invitation = (await owner.api.post(`/orgs/${org}/invitations`, { email: `${uniqueSlug('x')}@example.com`, role: 'member' })).body;
  const sa = await createServiceAccount(owner, org, 'member');
  const readOnlyKey = await owner.api.post('/users/me/api-keys', { name: 'read-only', access: 'read' });
  const projectKey = await owner.api.post('/users/me/api-keys', { name: 'one project', organization: org, projects: [project] });
  const expiredKey = await owner.api.post('/users/me/api-keys', {
    name: 'expired',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  });
  for (const created of [readOnlyKey, projectKey, expiredKey]) expect(created.status).toBe(201);
  await t.dataSource.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiredKey.body.id]);
  return {
    org,
    project,
    openProject,
    clients: {
      owner: owner.api,
      admin: admin.api,
      maintainer: members.maintainer!.api,
      contributor: members.contributor!.api,
      viewer: members.viewer!.api,
      memberNoRole: memberNoRole.api,
      memberOnOrgProject: memberNoRole.api,
      outsider: outsider.api,
      bot: owner.api.as(bot.apiKey.key),
      readOnlyKey: owner.api.as(readOnlyKey.body.key),
      projectKey: owner.api.as(projectKey.body.key),
      projectKeyOnOtherProject: owner.api.as(projectKey.body.key),
      expiredKey: owner.api.as(expiredKey.body.key),
    },
    ids: {
      owner: owner.id,
      viewer: members.viewer!.id,
      bot: bot.serviceAccount.id,
      invitation: invitation.id,
      serviceAccount: sa.serviceAccount.id,
    },
  };
}

interface Route {
  name: string;
  call: (c: ApiClient, w: World, actor: Actor) => Promise<{ status: number }>;
  expect: Partial<Record<Actor, Outcome>> & { default: Outcome };
  /** Needs a fresh world per actor (it destroys or changes what others rely on). */
  destructive?: boolean;
}

const P = (w: World, actor: Actor) => (actor === 'memberOnOrgProject' || actor === 'projectKeyOnOtherProject' ? w.openProject : w.project);
const orgRead = { default: 'ok', outsider: 'hidden' } as const;
const orgAdmin = { default: 'forbidden', owner: 'ok', admin: 'ok', outsider: 'hidden' } as const;
const projectRead = { default: 'ok', memberNoRole: 'hidden', outsider: 'hidden' } as const;
const projectWrite = {
  default: 'forbidden',
  owner: 'ok',
  admin: 'ok',
  maintainer: 'ok',
  contributor: 'ok',
  bot: 'ok',
  memberNoRole: 'hidden',
  outsider: 'hidden',
} as const;
const projectManage = {
  default: 'forbidden',
  owner: 'ok',
  admin: 'ok',
  maintainer: 'ok',
  memberNoRole: 'hidden',
  outsider: 'hidden',
} as const;

const ROUTES: Route[] = [
  { name: 'GET /orgs/{org}', call: (c, w) => c.get(`/orgs/${w.org}`), expect: orgRead },
  { name: 'PATCH /orgs/{org}', call: (c, w) => c.patch(`/orgs/${w.org}`, { name: 'Renamed' }), expect: orgAdmin },
  {
    name: 'DELETE /orgs/{org}',
    call: (c, w) => c.delete(`/orgs/${w.org}`),
    expect: { default: 'forbidden', owner: 'ok', outsider: 'hidden' },
    destructive: true,
  },
  { name: 'GET /orgs/{org}/members', call: (c, w) => c.get(`/orgs/${w.org}/members`), expect: orgRead },
  {
    name: 'PATCH /orgs/{org}/members/{viewer}',
    call: (c, w) => c.patch(`/orgs/${w.org}/members/${w.ids.viewer}`, { role: 'admin' }),
    expect: orgAdmin,
    destructive: true,
  },
  {
    name: 'DELETE /orgs/{org}/members/{viewer}',
    call: (c, w) => c.delete(`/orgs/${w.org}/members/${w.ids.viewer}`),
    expect: { ...orgAdmin, viewer: 'ok' },
    destructive: true,
  },
  { name: 'GET /orgs/{org}/invitations', call: (c, w) => c.get(`/orgs/${w.org}/invitations`), expect: orgAdmin },
  {
    name: 'POST /orgs/{org}/invitations',
    call: (c, w) => c.post(`/orgs/${w.org}/invitations`, { email: `${uniqueSlug('i')}@example.com`, role: 'member' }),
    expect: orgAdmin,
  },
  {
    name: 'DELETE /orgs/{org}/invitations/{id}',
    call: (c, w) => c.delete(`/orgs/${w.org}/invitations/${w.ids.invitation}`),
    expect: orgAdmin,
    destructive: true,
  },
  {
    name: 'GET /orgs/{org}/service-accounts',
    call: (c, w) => c.get(`/orgs/${w.org}/service-accounts`),
    expect: orgAdmin,
  },
  {
    name: 'POST /orgs/{org}/service-accounts',
    call: (c, w) => c.post(`/orgs/${w.org}/service-accounts`, { name: 'bot' }),
    expect: orgAdmin,
  },
  {
    name: 'DELETE /orgs/{org}/service-accounts/{id}',
    call: (c, w) => c.delete(`/orgs/${w.org}/service-accounts/${w.ids.serviceAccount}`),
    expect: orgAdmin,
    destructive: true,
  },
  { name: 'GET /orgs/{org}/audit-log', call: (c, w) => c.get(`/orgs/${w.org}/audit-log`), expect: orgAdmin },
  { name: 'GET /orgs/{org}/trash/projects', call: (c, w) => c.get(`/orgs/${w.org}/trash/projects`), expect: orgAdmin },
  { name: 'GET /orgs/{org}/projects', call: (c, w) => c.get(`/orgs/${w.org}/projects`), expect: orgRead },
  { name: 'POST /orgs/{org}/projects', call: (c, w) => c.post(`/orgs/${w.org}/projects`, { name: uniqueSlug('p') }), expect: orgRead },
  {
    name: 'GET /orgs/{org}/projects/{project}',
    call: (c, w, a) => c.get(`/orgs/${w.org}/projects/${P(w, a)}`),
    expect: { ...projectRead, memberOnOrgProject: 'ok' },
  },
  {
    name: 'PATCH /orgs/{org}/projects/{project}',
    call: (c, w, a) => c.patch(`/orgs/${w.org}/projects/${P(w, a)}`, { description: 'x' }),
    expect: projectManage,
  },
  {
    name: 'DELETE /orgs/{org}/projects/{project}',
    call: (c, w, a) => c.delete(`/orgs/${w.org}/projects/${P(w, a)}`),
    expect: projectManage,
    destructive: true,
  },
  {
    name: 'GET /orgs/{org}/projects/{project}/members',
    call: (c, w, a) => c.get(`/orgs/${w.org}/projects/${P(w, a)}/members`),
    expect: projectRead,
  },
  {
    name: 'PUT /orgs/{org}/projects/{project}/members/{owner}',
    call: (c, w, a) => c.put(`/orgs/${w.org}/projects/${P(w, a)}/members/${w.ids.owner}`, { role: 'maintainer' }),
    expect: projectManage,
  },
  {
    name: 'DELETE /orgs/{org}/projects/{project}/members/{viewer}',
    call: (c, w, a) => c.delete(`/orgs/${w.org}/projects/${P(w, a)}/members/${w.ids.viewer}`),
    expect: projectManage,
    destructive: true,
  },
  {
    name: 'GET /orgs/{org}/projects/{project}/trash',
    call: (c, w, a) => c.get(`/orgs/${w.org}/projects/${P(w, a)}/trash`),
    expect: projectManage,
  },
  {
    name: 'GET /orgs/{org}/projects/{project}/retention',
    call: (c, w, a) => c.get(`/orgs/${w.org}/projects/${P(w, a)}/retention`),
    expect: projectRead,
  },
  {
    name: 'POST /orgs/{org}/projects/{project}/retention/preview',
    call: (c, w, a) => c.post(`/orgs/${w.org}/projects/${P(w, a)}/retention/preview`),
    expect: projectManage,
  },
  {
    name: 'GET /orgs/{org}/projects/{project}/runs',
    call: (c, w, a) => c.get(`/orgs/${w.org}/projects/${P(w, a)}/runs`),
    expect: projectRead,
  },
  {
    name: 'POST /orgs/{org}/projects/{project}/runs',
    call: (c, w, a) => c.post(`/orgs/${w.org}/projects/${P(w, a)}/runs`, {}),
    expect: projectWrite,
  },
];

function classify(status: number): Outcome | `status ${number}` {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'hidden';
  if (status === 401) return 'unauthenticated';
  return `status ${status}`;
}

let shared: World;
beforeAll(async () => {
  t = await startTestApp();
  shared = await buildWorld();
}, 180_000);
afterAll(() => t.close());

describe('role matrix', () => {
  for (const route of ROUTES) {
    it(
      `${route.name}`,
      async () => {
        const results: Record<string, string> = {};
        const expected: Record<string, string> = {};
        for (const actor of ACTORS) {
          // The member without a project role reads org-visible projects: that is its own column.
          const w = route.destructive ? await buildWorld() : shared;
          const response = await route.call(w.clients[actor], w, actor);
          results[actor] = classify(response.status);
          expected[actor] = expectedFor(route, actor);
        }
        expect(results).toEqual(expected);
        // A destructive route builds a fresh world (org, projects, members, keys) for each actor: many times the work
        // of a shared-world row, which a loaded machine can stretch past the default minute.
      },
      route.destructive ? 300_000 : undefined,
    );
  }
});

const own = (route: Route, actor: Actor): Outcome => route.expect[actor] ?? route.expect.default;
/** What a project-limited key may still do at the organization level: see it and its members and projects. */
const PROJECT_KEY_ORG_READS = ['GET /orgs/{org}', 'GET /orgs/{org}/members', 'GET /orgs/{org}/projects'];

function expectedFor(route: Route, actor: Actor): Outcome {
  if (actor in route.expect) return own(route, actor);
  switch (actor) {
    case 'memberOnOrgProject':
      return expectedOnOpenProject(route);
    case 'expiredKey':
      return 'unauthenticated';
    case 'readOnlyKey':
      // The owner's roles, narrowed to reading: what members may read, not what only managers see.
      return route.name.startsWith('GET ') && route.expect !== orgAdmin && route.expect !== projectManage
        ? own(route, 'owner')
        : 'forbidden';
    case 'projectKey':
    case 'projectKeyOnOtherProject':
      // Within its project, the owner's roles; every other project is invisible; the organization can only be read.
      if (route.name.includes('{project}')) return actor === 'projectKey' ? own(route, 'owner') : 'hidden';
      return PROJECT_KEY_ORG_READS.includes(route.name) ? own(route, 'owner') : 'forbidden';
    default:
      return own(route, actor);
  }
}

/** On an org-visible project, a member without a project role is a viewer. */
function expectedOnOpenProject(route: Route): Outcome {
  if (!route.name.includes('{project}') && !route.name.startsWith('POST /orgs/{org}/projects/{project}')) return route.expect.default;
  return route.expect.viewer ?? route.expect.default;
}
