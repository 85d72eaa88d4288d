import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

// MLflow's DeleteRegisteredModel removes the model, its versions and aliases for good: the name answers
// RESOURCE_DOES_NOT_EXIST at once, searches stop listing it, and a model created again under the name starts empty.
let t: TestApp;
let owner: TestUser;
let org: string;
let key: string;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Registrar');
  org = (await createOrg(owner)).slug;
  key = (await owner.api.post('/users/me/api-keys', { name: 'mlflow' })).body.key;
  base = `${t.url}/mlflow/${org}/api/2.0/mlflow`;
});
afterAll(async () => {
  await t.close();
});

async function send(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await send(method, path, body);
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
}

it('DeleteRegisteredModel removes the registered model, its versions and aliases at once', async () => {
  const experiment = await call('POST', 'experiments/create', { name: 'registry-delete' });
  const run = (await call('POST', 'runs/create', { experiment_id: experiment.experiment_id })).run.info.run_id;
  await call('POST', 'registered-models/create', { name: 'doomed', description: 'to go', tags: [{ key: 'team', value: 'a' }] });
  for (const path of ['model', 'model-2'])
    await call('POST', 'model-versions/create', { name: 'doomed', source: `runs:/${run}/${path}`, run_id: run });
  await call('POST', 'registered-models/alias', { name: 'doomed', alias: 'champion', version: '2' });
  await call('POST', 'model-versions/set-tag', { name: 'doomed', version: '1', key: 'validated', value: 'yes' });

  await call('DELETE', 'registered-models/delete', { name: 'doomed' });

  const gone = await send('GET', 'registered-models/get?name=doomed');
  expect([gone.status, gone.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  const version = await send('GET', 'model-versions/get?name=doomed&version=1');
  expect([version.status, version.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  const alias = await send('GET', 'registered-models/alias?name=doomed&alias=champion');
  expect(alias.status).toBe(404);
  expect((await call('GET', 'registered-models/search')).registered_models ?? []).not.toContainEqual(
    expect.objectContaining({ name: 'doomed' }),
  );
  expect((await call('GET', `model-versions/search?filter=${encodeURIComponent("name='doomed'")}`)).model_versions ?? []).toEqual([]);
  // The row is gone, not hidden: the database holds nothing of it, and the name is free again.
  const rows = await t.dataSource.query(`SELECT name FROM mlflow_registered_models WHERE name = 'doomed'`);
  expect(rows).toEqual([]);
  expect(await t.dataSource.query(`SELECT version FROM mlflow_model_versions WHERE name = 'doomed'`)).toEqual([]);

  const again = await call('POST', 'registered-models/create', { name: 'doomed' });
  expect(again.registered_model).toMatchObject({ name: 'doomed', description: '', latest_versions: [] });
  const fresh = await call('POST', 'model-versions/create', { name: 'doomed', source: `runs:/${run}/model`, run_id: run });
  expect(fresh.model_version).toMatchObject({ version: '1', current_stage: 'None', tags: [], aliases: [] });
  expect((await call('GET', 'registered-models/get?name=doomed')).registered_model.aliases).toEqual([]);
});
