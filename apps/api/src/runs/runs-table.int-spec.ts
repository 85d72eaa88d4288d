import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';
import type { RequestContext } from '../common/context/request-context';
import { RunsQueryService } from './runs-query.service';

let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;
let runsPath: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url);
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'table')).slug;
  runsPath = `/orgs/${org}/projects/${project}/runs`;
  // 12 runs: lr varies, seed is the same everywhere; every run logs loss, the last four also acc.
  for (let i = 0; i < 12; i++) {
    const run = (await owner.api.post(runsPath, { name: `run-${i}`, tags: i < 2 ? ['baseline'] : [], params: { lr: i / 100, seed: 1 } }))
      .body;
    const metrics = [{ name: 'loss', steps: [0, 1, 2], values: [3, 1 + i, 2], times: [0, 1, 2] }];
    if (i >= 8) metrics.push({ name: 'val/acc', steps: [0], values: [i / 10], times: [0] });
    const batch = await owner.api.post(`${runsPath}/${run.key}/batches`, { streamId: 's', seq: 0, metrics });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
  }
});
afterAll(() => t.close());

describe('column listing', () => {
  it('lists every param, metric, tag and attribute with defaults that say something', async () => {
    const response = await owner.api.get(`/orgs/${org}/projects/${project}/columns`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const fields = response.body.columns.map((c: { field: string }) => c.field);
    expect(fields).toEqual(
      expect.arrayContaining(['key', 'state', 'duration', 'params.lr', 'params.seed', 'metrics.loss', 'metrics.val/acc', 'tag:baseline']),
    );
    expect(response.body.columns.find((c: { field: string }) => c.field === 'params.lr').type).toBe('number');
    expect(response.body.metricStats).toEqual(['last', 'min', 'max', 'count', 'step']);
    // loss is logged by more recent runs than val/acc; seed never varies.
    expect(response.body.defaults).toEqual(['metrics.loss.last', 'metrics.val/acc.last', 'params.lr']);
  });

  it('answers 404 for a project of another organization', async () => {
    const stranger = await signup(t.url);
    await createOrg(stranger);
    expect((await stranger.api.get(`/orgs/${org}/projects/${project}/columns`)).status).toBe(404);
  });

  it('learns param keys and tags a batch adds to a run later', async () => {
    const run = (await owner.api.post(runsPath, { name: 'late', params: {} })).body;
    const batch = await owner.api.post(`${runsPath}/${run.key}/batches`, {
      streamId: 's',
      seq: 0,
      params: { warmup: 5 },
      tags: { add: ['late-tag'] },
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const fields = (await owner.api.get(`/orgs/${org}/projects/${project}/columns`)).body.columns.map((c: { field: string }) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['params.warmup', 'tag:late-tag']));
    expect((await owner.api.delete(`${runsPath}/${run.key}`)).status).toBe(204);
  });
});

describe('true count and paging', () => {
  it('gives the total of a filter on the first page and pages through everything', async () => {
    const first = await owner.api.get(`${runsPath}?limit=5&filter=${encodeURIComponent('params.lr >= 0.03')}`);
    expect(first.body.total).toEqual({ count: 9, exact: true });
    const seen = first.body.items.map((r: { name: string }) => r.name);
    let cursor = first.body.nextCursor;
    while (cursor) {
      const next = await owner.api.get(`${runsPath}?limit=5&filter=${encodeURIComponent('params.lr >= 0.03')}&cursor=${cursor}`);
      expect(next.body.total).toBeUndefined();
      seen.push(...next.body.items.map((r: { name: string }) => r.name));
      cursor = next.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(9);
  });

  it('sorts by any summary, runs without the metric last, and pages across that boundary', async () => {
    for (const sort of ['-metrics.val/acc.max', 'metrics.val/acc.min', '-metrics.loss.count', 'metrics.loss.step']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await owner.api.get(`${runsPath}?limit=3&sort=${encodeURIComponent(sort)}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        seen.push(...page.body.items.map((r: { name: string }) => r.name));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(12);
      if (sort === '-metrics.val/acc.max') expect(seen.slice(0, 4)).toEqual(['run-11', 'run-10', 'run-9', 'run-8']);
      if (sort === 'metrics.val/acc.min') expect(seen.slice(0, 4)).toEqual(['run-8', 'run-9', 'run-10', 'run-11']);
    }
  });

  it('returns every requested summary column from one lookup per page', async () => {
    const columns = 'metrics.loss.max,metrics.loss.min,metrics.loss.count,metrics.loss.step,metrics.val/acc,params.lr';
    const response = await owner.api.get(`${runsPath}?filter=${encodeURIComponent('name = "run-9"')}&columns=${columns}`);
    expect(response.body.items[0].columns).toEqual({
      'metrics.loss.max': 10,
      'metrics.loss.min': 2,
      'metrics.loss.count': 3,
      'metrics.loss.step': 2,
      'metrics.val/acc': 0.9,
      'params.lr': 0.09,
    });
  });
});

/** Node types and index names of a plan, which is what a change of statistics would change. */
function shape(node: any): string {
  const children = (node.Plans ?? []).map(shape).join(',');
  // Memoize caches the same per-run probe, and a Subquery Scan only passes a subquery's rows on:
  // whether the planner adds either is not a change of plan shape.
  if (node['Node Type'] === 'Memoize' || (node['Node Type'] === 'Subquery Scan' && node.Plans?.length === 1)) return shape(node.Plans[0]);
  return `${node['Node Type']}${node['Index Name'] ? `[${node['Index Name']}]` : ''}${node['Relation Name'] && !node['Index Name'] ? `(${node['Relation Name']})` : ''}${children ? `{${children}}` : ''}`;
}

describe('plans that do not depend on table statistics', () => {
  const RUNS = 30_000;
  let db: Client;
  let ctx: RequestContext;
  const captured: Array<[string, unknown[]]> = [];

  beforeAll(async () => {
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    const slug = (await createProject(owner, org, 'private', 'bulk')).slug;
    const [row] = (
      await db.query(
        `SELECT p.id, p.organization_id, o.slug FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE p.slug = $1`,
        [slug],
      )
    ).rows;
    // No statistics until the test asks for them.
    for (const table of ['runs', 'series']) await db.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    await db.query(
      `INSERT INTO runs (organization_id, project_id, number, name, state, params)
       SELECT $1, $2, n, 'bulk-' || n, 'finished', jsonb_build_object('lr', n % 7) FROM generate_series(1, $3) n`,
      [row.organization_id, row.id, RUNS],
    );
    await db.query(
      `INSERT INTO series (organization_id, run_id, kind, name, count, last_step, last_value, min_value, max_value)
       SELECT r.organization_id, r.id, 'metric', m, 10, 9, random(), random(), random()
         FROM runs r, unnest(ARRAY['loss', 'acc', 'lr', 'grad', 'time']) m WHERE r.project_id = $1`,
      [row.id],
    );
    const em = {
      query: (sql: string, params: unknown[]) => {
        captured.push([sql, params]);
        return db.query(sql, params).then((r) => r.rows);
      },
    };
    ctx = {
      em,
      origin: 'http://localhost',
      organization: { id: row.organization_id, slug: row.slug },
      currentProject: { id: row.id, slug },
    } as unknown as RequestContext;
  });
  afterAll(() => db.end());

  async function plans(query: { sort?: string; filter?: string; columns?: string[] }) {
    captured.length = 0;
    const list = await t.app.get(RunsQueryService).list(ctx, { limit: 50, ...query });
    const out: string[] = [];
    // The count is bounded by its LIMIT in any plan; the page and summary queries are what must not change.
    for (const [sql, params] of captured.filter(([sql]) => !sql.includes('count(*)'))) {
      const { rows } = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      out.push(shape(rows[0]['QUERY PLAN'][0].Plan));
    }
    return { out, names: list.items.map((r) => r.name), total: list.total };
  }

  it('sorts by a metric max through its index and reads five summary columns the same way before and after ANALYZE', async () => {
    const queries = [
      { sort: '-metrics.loss.max', columns: ['metrics.loss.max', 'metrics.acc', 'metrics.lr.min', 'metrics.grad.count', 'metrics.time'] },
      { sort: 'metrics.acc.min', filter: 'params.lr = 3 AND metrics.loss < 0.5' },
      {
        sort: '-created_at',
        filter: 'metrics.grad.max > 0.5',
        columns: ['metrics.loss', 'metrics.acc', 'metrics.lr', 'metrics.grad', 'metrics.time'],
      },
    ];
    const before = [];
    for (const q of queries) before.push(await plans(q));
    await db.query('ANALYZE runs; ANALYZE series');
    for (const [i, q] of queries.entries()) {
      const after = await plans(q);
      expect(after.names).toEqual(before[i]!.names);
      if (q.sort.includes('metrics.')) expect(after.out, JSON.stringify(q)).toEqual(before[i]!.out);
      // Sorted by an attribute, statistics may choose between the created_at index and a sort;
      // metric values are per-run probes of the unique index in both, never a join of series.
      for (const plan of [...after.out, ...before[i]!.out]) expect(plan).not.toMatch(/(Hash|Merge) Join|Seq Scan\(series\)/);
      expect(after.out.join(' ')).toContain('[series_run_id_kind_name_key]');
    }
    // The metric sort walks the summary's index and never sorts the whole project.
    expect(before[0]!.out[0]).toContain('[series_metric_max_idx]');
    expect(before[0]!.out[0]).not.toMatch(/^Limit\{Sort/);
    expect(before[1]!.out[0]).toContain('[series_metric_min_idx]');
    expect(before[0]!.total).toEqual({ count: RUNS, exact: true });
    // Summary columns: one lookup for the page.
    expect(captured.filter(([sql]) => sql.includes('unnest($3::text[])'))).toHaveLength(1);
    expect(before[2]!.out[1]).toMatch(/^Nested Loop\{.*Index Scan\[series_run_id_kind_name_key\]/);
  });
});
