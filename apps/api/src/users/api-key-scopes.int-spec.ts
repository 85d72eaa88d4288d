import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createOrg, createProject, createServiceAccount, signup, uniqueSlug, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let org: string;
let other: string;
let alpha: { id: string; slug: string };
let beta: { id: string; slug: string };

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  other = (await createOrg(owner)).slug;
  alpha = await createProject(owner, org, 'org');
  beta = await createProject(owner, org, 'org');
}, 60_000);
afterAll(() => t.close());

const key = async (user: TestUser, body: object) => {
  const created = await user.api.post('/users/me/api-keys', { name: 'k', ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { ...created.body, api: new ApiClient(t.url, created.body.key) };
};

describe('a key can never manage keys', () => {
  it('neither personal nor service-account keys can be created or revoked with a key', async () => {
    const personal = await key(owner, {});
    const bot = await createServiceAccount(owner, org, 'admin');
    const botKey = new ApiClient(t.url, bot.apiKey.key);
    const base = `/orgs/${org}/service-accounts/${bot.serviceAccount.id}/api-keys`;
    for (const withKey of [personal.api, botKey]) {
      for (const attempt of [
        await withKey.post('/users/me/api-keys', { name: 'successor' }),
        await withKey.delete(`/users/me/api-keys/${personal.id}`),
        await withKey.post(base, { name: 'successor' }),
        await withKey.delete(`${base}/${bot.apiKey.id}`),
        await withKey.post(`/orgs/${org}/service-accounts`, { name: 'escape', role: 'admin' }),
      ]) {
        expect(attempt.status).toBe(403);
        expect(attempt.body.error.code).toBe('session_required');
      }
    }
    // A key may still read its own list, and a session manages keys as before.
    expect((await personal.api.get('/users/me/api-keys')).status).toBe(200);
    expect((await owner.api.post(base, { name: 'successor' })).status).toBe(201);
  });
});

describe('creating scoped keys', () => {
  it('says back the scope, with expiry', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await key(owner, { access: 'read', organization: org, projects: [beta.slug, alpha.slug], expiresAt });
    expect(created).toMatchObject({ access: 'read', organization: org, projects: [alpha.slug, beta.slug].sort(), expiresAt });
    const listed = (await owner.api.get('/users/me/api-keys')).body.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ access: 'read', organization: org, projects: [alpha.slug, beta.slug].sort() });
    expect((await key(owner, {})).access).toBe('write');
  });

  it('refuses projects without an organization, and an organization or project the creator cannot see', async () => {
    const stranger = await signup(t.url);
    const strangerOrg = (await createOrg(stranger)).slug;
    const privateOne = await createProject(stranger, strangerOrg, 'private');
    const bad = await owner.api.post('/users/me/api-keys', { name: 'k', projects: [alpha.slug] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('projects');
    expect((await owner.api.post('/users/me/api-keys', { name: 'k', organization: strangerOrg })).status).toBe(404);
    expect((await owner.api.post('/users/me/api-keys', { name: 'k', organization: org, projects: ['nope-nope'] })).status).toBe(404);
    const member = (await stranger.api.post(`/orgs/${strangerOrg}/invitations`, { email: owner.email, role: 'member' })).body;
    expect((await owner.api.post(`/invitations/${member.token}/accept`)).status).toBeLessThan(300);
    expect((await owner.api.post('/users/me/api-keys', { name: 'k', organization: strangerOrg, projects: [privateOne.slug] })).status).toBe(
      404,
    );
  });

  it('service-account keys take projects of their organization and no other organization', async () => {
    const bot = await createServiceAccount(owner, org, 'member');
    const base = `/orgs/${org}/service-accounts/${bot.serviceAccount.id}/api-keys`;
    const scoped = await owner.api.post(base, { name: 'ci', access: 'read', projects: [alpha.slug] });
    expect(scoped.status).toBe(201);
    expect(scoped.body).toMatchObject({ access: 'read', organization: org, projects: [alpha.slug] });
    expect((await owner.api.post(base, { name: 'ci', organization: other })).status).toBe(400);
    expect((await new ApiClient(t.url, scoped.body.key).post(`/orgs/${org}/projects/${alpha.slug}/runs`, {})).status).toBe(403);
  });
});

describe('using scoped keys', () => {
  it('a read-only key reads, and every write is refused, account-level ones with key_scope', async () => {
    const ro = await key(owner, { access: 'read' });
    expect((await ro.api.get(`/orgs/${org}/projects/${alpha.slug}/runs`)).status).toBe(200);
    expect((await ro.api.post(`/orgs/${org}/projects/${alpha.slug}/runs`, {})).status).toBe(403);
    const created = await ro.api.post('/orgs', { name: 'Nope', slug: uniqueSlug('nope') });
    expect(created.status).toBe(403);
    expect(created.body.error.code).toBe('key_scope');
    expect((await ro.api.get('/orgs')).body.map((o: { slug: string }) => o.slug)).toEqual(expect.arrayContaining([org, other]));
  });

  it('a key limited to an organization sees only it', async () => {
    const limited = await key(owner, { organization: org });
    expect((await limited.api.get('/orgs')).body.map((o: { slug: string }) => o.slug)).toEqual([org]);
    expect((await limited.api.get(`/orgs/${other}`)).status).toBe(404);
    expect((await limited.api.post(`/orgs/${other}/projects`, { name: 'x' })).status).toBe(404);
    expect((await limited.api.post(`/orgs/${org}/projects/${alpha.slug}/runs`, {})).status).toBe(201);
    expect((await limited.api.post('/orgs', { name: 'Nope', slug: uniqueSlug('nope') })).body.error.code).toBe('key_scope');
  });

  it('a key limited to projects lists and reaches only them, and cannot act on the organization', async () => {
    const limited = await key(owner, { organization: org, projects: [alpha.slug] });
    expect((await limited.api.get(`/orgs/${org}/projects`)).body.map((p: { slug: string }) => p.slug)).toEqual([alpha.slug]);
    expect((await limited.api.get(`/orgs/${org}/projects/${beta.slug}`)).status).toBe(404);
    expect((await limited.api.post(`/orgs/${org}/projects/${alpha.slug}/runs`, {})).status).toBe(201);
    expect((await limited.api.post(`/orgs/${org}/projects`, { name: uniqueSlug('p') })).status).toBe(403);
    expect((await limited.api.patch(`/orgs/${org}`, { name: 'Renamed' })).status).toBe(403);
  });

  it('the MLflow door applies the same scope', async () => {
    const mlflow = (path: string, token: string, body?: object) =>
      fetch(`${t.url}/mlflow/${org}/api/2.0/mlflow/${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
    const ro = await key(owner, { access: 'read' });
    const limited = await key(owner, { organization: org, projects: [alpha.slug] });
    expect((await mlflow(`experiments/get?experiment_id=${alpha.id}`, ro.key)).status).toBe(200);
    const create = await mlflow('runs/create', ro.key, { experiment_id: alpha.id });
    expect(create.status).toBe(403);
    expect(((await create.json()) as { error_code: string }).error_code).toBe('PERMISSION_DENIED');
    expect((await mlflow('runs/create', limited.key, { experiment_id: alpha.id })).status).toBe(200);
    const hidden = await mlflow(`experiments/get?experiment_id=${beta.id}`, limited.key);
    expect(hidden.status).toBe(404);
    expect(((await hidden.json()) as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
