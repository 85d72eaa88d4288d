import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let runsPath: string;
const byName = new Map<string, { id: string; key: string }>();

// Ten runs with mixed params and one metric, made through the API.
const FIXTURES = Array.from({ length: 10 }, (_, i) => ({
  name: `run-${i}`,
  optimizer: ['adam', 'sgd'][i % 2]!,
  lr: (i + 1) / 1000,
  loss: i === 7 ? 'NaN' : 1 - i / 10,
  tags: i < 3 ? ['baseline'] : [],
}));

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url);
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private', 'query')).slug;
  runsPath = `/orgs/${org}/projects/${project}/runs`;
  for (const f of FIXTURES) {
    const run = (
      await owner.api.post(runsPath, {
        name: f.name,
        tags: f.tags,
        params: { optimizer: { name: f.optimizer, lr: f.lr }, note: f.name === 'run-9' ? 12 : 'text' },
      })
    ).body;
    byName.set(f.name, run);
    await owner.api.post(`${runsPath}/${run.key}/batches`, {
      streamId: 's',
      seq: 0,
      metrics: [{ name: 'train/loss', steps: [0, 1], values: [2, f.loss], times: [0, 1] }],
    });
  }
  await owner.api.patch(`${runsPath}/run-0`.replace('run-0', byName.get('run-0')!.key), { state: 'finished' });
});
afterAll(() => t.close());

async function names(query: string): Promise<string[]> {
  const response = await owner.api.get(`${runsPath}?limit=100&${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items.map((r: { name: string }) => r.name);
}

const q = (filter: string, sort = 'name') => `filter=${encodeURIComponent(filter)}&sort=${encodeURIComponent(sort)}`;

describe('filters', () => {
  it('filters on params, metrics, attributes and tags', async () => {
    expect(await names(q('params.optimizer.name = "sgd"'))).toEqual(['run-1', 'run-3', 'run-5', 'run-7', 'run-9']);
    expect(await names(q('params.optimizer.lr >= 0.008'))).toEqual(['run-7', 'run-8', 'run-9']);
    expect(await names(q('metrics.`train/loss` < 0.35'))).toEqual(['run-8', 'run-9']);
    expect(await names(q('metrics.`train/loss`.max = 2 AND metrics.`train/loss`.count = 2 AND number <= 2'))).toEqual(['run-0', 'run-1']);
    expect(await names(q('state = "finished"'))).toEqual(['run-0']);
    expect(await names(q('tags CONTAINS "baseline" AND NOT name = "run-1"'))).toEqual(['run-0', 'run-2']);
    expect(await names(q('name IN ("run-4", "run-5") OR name LIKE "%-9"'))).toEqual(['run-4', 'run-5', 'run-9']);
    expect(await names(q('(params.optimizer.name = "adam" OR name = "run-1") AND params.optimizer.lr < 0.004'))).toEqual([
      'run-0',
      'run-1',
      'run-2',
    ]);
    expect(await names(q('EXISTS metrics.nothing'))).toEqual([]);
    expect(await names(q('params.note > 10'))).toEqual(['run-9']);
    expect(await names(q('params.note = "text" AND name ILIKE "RUN-1%"'))).toEqual(['run-1']);
  });

  it('answers a bad filter with 400 invalid_filter and a helpful message', async () => {
    const response = await owner.api.get(`${runsPath}?filter=${encodeURIComponent('params.lr >')}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_filter');
    expect(response.body.error.message).toMatch(/expected a value after '>'/);
  });

  it('treats SQL fragments in names and values as plain data', async () => {
    for (const filter of [`name = "x'; DROP TABLE runs; --"`, "params.`a'); DROP TABLE runs; --` = 1", 'name LIKE "%\'%"']) {
      expect(await names(q(filter))).toEqual([]);
    }
    expect(await names('')).toHaveLength(10);
  });
});

describe('sorting, columns and pagination', () => {
  it('sorts by a metric summary with NaN and missing values placed consistently', async () => {
    const sorted = await names('sort=metrics.`train/loss`');
    expect(sorted.slice(0, 3)).toEqual(['run-9', 'run-8', 'run-6']);
    expect(sorted.at(-1)).toBe('run-7');
    expect((await names('sort=-params.optimizer.lr')).slice(0, 2)).toEqual(['run-9', 'run-8']);
  });

  it('returns chosen columns', async () => {
    const response = await owner.api.get(`${runsPath}?${q('name = "run-2"')}&columns=params.optimizer.lr,metrics.train/loss.min`);
    expect(response.body.items[0].columns).toEqual({ 'params.optimizer.lr': 0.003, 'metrics.train/loss.min': 0.8 });
  });

  it('pages with a cursor without skipping or repeating runs', async () => {
    for (const sort of ['-created_at', 'metrics.`train/loss`', 'params.optimizer.name,-number']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const response: any = await owner.api.get(
          `${runsPath}?limit=3&sort=${encodeURIComponent(sort)}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(response.status).toBe(200);
        seen.push(...response.body.items.map((r: { name: string }) => r.name));
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(seen, sort).toHaveLength(10);
      expect(new Set(seen).size, sort).toBe(10);
      expect(seen, sort).toEqual(await names(`sort=${encodeURIComponent(sort)}`));
    }
  });

  it('refuses a forged cursor with 400', async () => {
    const forged = Buffer.from(JSON.stringify(['not-a-time', 'nope'])).toString('base64url');
    const response = await owner.api.get(`${runsPath}?cursor=${forged}`);
    expect(response.status).toBe(400);
    expect((await owner.api.get(`${runsPath}?cursor=%%%`)).status).toBe(400);
  });
});
