import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  addOrgMember,
  ApiClient,
  createOrg,
  createProject,
  createServiceAccount,
  setProjectRole,
  signup,
  type TestUser,
} from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';

// Batch ingestion answers "who is this in that project" and "is this API key
// live" from caches (ACCESS_CACHE_TTL_MS, 5 s by default, far longer than
// these tests). Each test streams batches, changes access, and expects the
// very next batch to see the change.
let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;
let base: string;

beforeAll(async () => {
  t = await startTestApp({ ACCESS_CACHE_TTL_MS: '60000' });
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'acc')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
});
afterAll(() => t.close());

async function streamer(client: ApiClient) {
  const run = (await owner.api.post(base, {})).body as { key: string };
  let seq = 0;
  return () =>
    client.post(`${base}/${run.key}/batches`, {
      streamId: 's',
      seq: seq++,
      metrics: [{ name: 'loss', steps: [seq], values: [1], times: [1] }],
    });
}

async function keyOf(user: TestUser): Promise<{ id: string; key: string }> {
  return (await user.api.post('/users/me/api-keys', { name: 'sdk' })).body;
}

it('a member removed from the organization while batches stream in is refused at the next batch', async () => {
  const member = await addOrgMember(owner, org, 'member', 'leaver');
  await setProjectRole(owner, org, project, member.id, 'contributor');
  const send = await streamer(new ApiClient(t.url, (await keyOf(member)).key));
  for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
  expect((await owner.api.delete(`/orgs/${org}/members/${member.id}`)).status).toBe(204);
  const refused = await send();
  expect(refused.status).toBe(404);
  expect(refused.body.error.code).toBe('not_found');
});

it('a contributor made a viewer while batches stream in is refused at the next batch', async () => {
  const member = await addOrgMember(owner, org, 'member', 'demoted');
  await setProjectRole(owner, org, project, member.id, 'contributor');
  const send = await streamer(new ApiClient(t.url, (await keyOf(member)).key));
  for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
  await setProjectRole(owner, org, project, member.id, 'viewer');
  expect((await send()).status).toBe(403);
});

it('a revoked API key is refused at the next batch', async () => {
  const key = await keyOf(owner);
  const send = await streamer(new ApiClient(t.url, key.key));
  for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
  expect((await owner.api.delete(`/users/me/api-keys/${key.id}`)).status).toBe(204);
  expect((await send()).status).toBe(401);
});

it('a deleted service account is refused at the next batch', async () => {
  const account = await createServiceAccount(owner, org, 'admin');
  const send = await streamer(new ApiClient(t.url, account.apiKey.key));
  for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
  expect((await owner.api.delete(`/orgs/${org}/service-accounts/${account.serviceAccount.id}`)).status).toBe(204);
  expect((await send()).status).toBe(401);
});
