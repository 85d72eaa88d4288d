import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient, createOrg, createProject, signup } from '../../test/api-client';
import { createTestDatabase, startTestApp, type TestApp } from '../../test/test-app';

// Its own file: passport keeps strategies in a process-wide registry, so two
// apps must not live side by side in one test process.
let t: TestApp;
let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  t = await startTestApp({}, databaseUrl);
});
afterAll(() => t.close());

it('a retried batch is not applied twice even after a server restart', async () => {
  const owner = await signup(t.url);
  const key = await owner.api.post('/users/me/api-keys', { name: 'sdk' });
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const run = (await owner.api.post(runs, {})).body;
  const body = { streamId: 'w0', seq: 3, metrics: [{ name: 'loss', steps: [1, 2, 3], values: [3, 2, 1], times: [1, 2, 3] }] };
  expect((await owner.api.post(`${runs}/${run.key}/batches`, body)).body.duplicate).toBe(false);

  await t.close();
  t = await startTestApp({}, databaseUrl);
  const client = new ApiClient(t.url, key.body.key);
  const retried = await client.post(`${runs}/${run.key}/batches`, body);
  expect(retried.body).toMatchObject({ duplicate: true });
  expect(retried.status).toBe(200);
  expect(retried.body.duplicate).toBe(true);
  const series = (await client.get(`${runs}/${run.key}/series?names=loss`)).body[0];
  expect(series.steps).toEqual([1, 2, 3]);
  expect(series.totalPoints).toBe(3);
});
