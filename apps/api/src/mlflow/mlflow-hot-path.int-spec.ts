import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import { Client } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addOrgMember, createOrg, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

// MLflow 3.x's fluent client sends runs/get before every log_metric, so both
// sit on the hot path. These tests count the SQL statements one request costs
// (every statement node-pg sends while it is in flight, transaction control
// included) against the budget the MLflow layer is built to: a new query on
// either path makes them fail, with the statements listed. Only statements
// sent while serving an HTTP request count: the background jobs (thumbnails,
// compaction, janitor) poll on their own timers and are not the request's cost.
let t: TestApp;
let owner: TestUser;
let base: string;
let org: string;
let key: string;
let runId: string;

const sent: string[] = [];
let counting = false;
const query = Client.prototype.query;
const inRequest = new AsyncLocalStorage<true>();

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  key = (await owner.api.post('/users/me/api-keys', { name: 'mlflow' })).body.key;
  base = `${t.url}/mlflow/${org}/api/2.0/mlflow`;
  const experiment = await call('POST', 'experiments/create', { name: 'hot' });
  runId = (await call('POST', 'runs/create', { experiment_id: experiment.experiment_id })).run.info.run_id;
  // Warm the caches the way a logging client does: one runs/get and one metric first.
  await call('GET', `runs/get?run_id=${runId}`);
  await call('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 1, timestamp: 1, step: 0 });
  const server = t.app.getHttpServer() as Server;
  const handlers = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (...args: unknown[]) => inRequest.run(true, () => handlers.forEach((h) => h.apply(server, args))));
  (Client.prototype as { query: unknown }).query = function (this: Client, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
    if (counting && inRequest.getStore() && typeof text === 'string') sent.push(text.replace(/\s+/g, ' ').trim().slice(0, 80));
    return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
  };
});
afterAll(async () => {
  Client.prototype.query = query;
  await t.close();
});

async function send(method: string, path: string, body?: unknown, token = key) {
  const response = await fetch(`${base}/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await send(method, path, body);
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The statements one request sends. */
async function statementsOf(method: string, path: string, body?: unknown): Promise<string[]> {
  sent.length = 0;
  counting = true;
  try {
    await call(method, path, body);
  } finally {
    counting = false;
  }
  return [...sent];
}

it('runs/get costs at most 7 statements, however many metrics the run has', async () => {
  const statements = await statementsOf('GET', `runs/get?run_id=${runId}`);
  expect(statements.length, statements.join('\n')).toBeGreaterThan(0);
  expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(7);
  for (let step = 1; step <= 20; step++)
    await call('POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: `m${step}`, value: step, timestamp: step, step }] });
  const after = await statementsOf('GET', `runs/get?run_id=${runId}`);
  expect(after.length, after.join('\n')).toBe(statements.length);
});

it('log-metric costs at most 9 statements, the same on every call', async () => {
  const first = await statementsOf('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 0.5, timestamp: 2, step: 1 });
  const second = await statementsOf('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 0.25, timestamp: 3, step: 2 });
  expect(first.length, first.join('\n')).toBeLessThanOrEqual(9);
  expect(second.length, second.join('\n')).toBe(first.length);
});

// The organization membership of MLflow calls comes from the access cache; a
// removal must still refuse the very next call, as on the batch routes.
it('a member removed from the organization is refused at the next MLflow call', async () => {
  const member = await addOrgMember(owner, org, 'member', 'leaver');
  const memberKey = (await member.api.post('/users/me/api-keys', { name: 'mlflow' })).body.key as string;
  for (let i = 0; i < 3; i++) expect((await send('GET', `runs/get?run_id=${runId}`, undefined, memberKey)).status).toBe(200);
  expect((await owner.api.delete(`/orgs/${org}/members/${member.id}`)).status).toBe(204);
  const refused = await send('GET', `runs/get?run_id=${runId}`, undefined, memberKey);
  expect(refused.status).toBe(404);
});
