import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { ROWS_PER_BATCH } from './project-export.service';

let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;
let base: string;
let dir: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Exporter');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'exported')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
  dir = mkdtempSync(join(tmpdir(), 'export-spec-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

/** The answer's bytes, as a client downloads them. */
async function download(user: TestUser, query = '', slug = project, orgSlug = org) {
  const response = await fetch(`${t.url}/api/v1/orgs/${orgSlug}/projects/${slug}/export/records.parquet${query}`, {
    headers: { authorization: `Bearer ${user.api.token}` },
  });
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

let files = 0;
/** Rows of a Parquet file as DuckDB (an independent reader) sees them. */
async function read(bytes: Buffer, sql = 'SELECT * FROM f'): Promise<Array<Record<string, unknown>>> {
  const path = join(dir, `part-${files++}.parquet`);
  writeFileSync(path, bytes);
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    await connection.run(`CREATE VIEW f AS SELECT * FROM read_parquet('${path}')`);
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
  }
}

async function newRun(body: Record<string, unknown>) {
  const response = await owner.api.post(base, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; key: string };
}

describe('project export stream', () => {
  it('streams runs, params, series and text in the documented long-format schema', async () => {
    const run = await newRun({
      name: 'exported-run',
      tags: ['a', 'b'],
      params: { optimizer: { lr: 0.01, name: 'adam' }, epochs: 3, on: true, layers: [64, 32], empty: {} },
      context: { source: { commit: 'abc', dirty: false } },
    });
    const ack = await owner.api.post(`${base}/${run.key}/batches`, {
      streamId: 's',
      seq: 0,
      metrics: [{ name: 'loss', steps: [0, 1, 2], values: [1.5, 'NaN', '-Infinity'], times: [1e12, 1e12 + 1, 1e12 + 2] }],
      system: [{ name: 'cpu', steps: [0], values: [12.5], times: [1e12] }],
      text: [{ name: 'stdout', steps: [0, 0, 4], lines: ['first', 'second', 'é'], times: [1e12, 1e12, 1e12 + 4] }],
      inputs: [{ kind: 'dataset', name: 'train', version: '1', digest: 'abc' }],
    });
    expect(ack.status).toBe(200);
    const fork = await newRun({ name: 'the-fork', forkFrom: run.key, forkStep: 1 });

    const answer = await download(owner);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/vnd.apache.parquet');
    const types = await read(answer.bytes, 'SELECT column_name, column_type FROM (DESCRIBE f)');
    expect(types.map((c) => `${c.column_name}:${c.column_type}`)).toEqual([
      'project:VARCHAR',
      'run_id:VARCHAR',
      'run_key:VARCHAR',
      'record:VARCHAR',
      'name:VARCHAR',
      'step:BIGINT',
      'time:TIMESTAMP WITH TIME ZONE',
      'float_value:DOUBLE',
      'int_value:BIGINT',
      'bool_value:BOOLEAN',
      'string_value:VARCHAR',
      'json_value:VARCHAR',
    ]);
    const of = (key: string, record: string, name: string) =>
      read(
        answer.bytes,
        `SELECT step, epoch_ms(time) AS time, CAST(float_value AS VARCHAR) AS f, int_value AS i, bool_value AS b, string_value AS s, json_value AS j
           FROM f WHERE run_key = '${key}' AND record = '${record}' AND name = '${name}' ORDER BY step, s`,
      );
    expect(await of(run.key, 'metric', 'loss')).toEqual([
      { step: '0', time: '1000000000000', f: '1.5', i: null, b: null, s: null, j: null },
      { step: '1', time: '1000000000001', f: 'nan', i: null, b: null, s: null, j: null },
      { step: '2', time: '1000000000002', f: '-inf', i: null, b: null, s: null, j: null },
    ]);
    expect((await of(run.key, 'system', 'cpu')).map((r) => r.f)).toEqual(['12.5']);
    expect((await of(run.key, 'text', 'stdout')).map((r) => [r.step, r.s])).toEqual([
      ['0', 'first'],
      ['0', 'second'],
      ['4', 'é'],
    ]);
    expect((await of(run.key, 'param', 'optimizer.lr'))[0]!.f).toBe('0.01');
    expect((await of(run.key, 'param', 'epochs'))[0]!.i).toBe('3');
    expect((await of(run.key, 'param', 'on'))[0]!.b).toBe(true);
    expect((await of(run.key, 'param', 'optimizer.name'))[0]!.s).toBe('adam');
    // JSON values are spelled as Python's json.dumps(sort_keys=True), as the CLI's export writes them.
    expect((await of(run.key, 'param', 'layers'))[0]!.j).toBe('[64, 32]');
    expect((await of(run.key, 'param', 'empty'))[0]!.j).toBe('{}');
    expect((await of(run.key, 'run', 'context'))[0]!.j).toBe('{"source": {"commit": "abc", "dirty": false}}');
    expect((await of(run.key, 'run', 'name'))[0]!.s).toBe('exported-run');
    expect((await of(run.key, 'tag', 'a')).length).toBe(1);
    expect(JSON.parse((await of(run.key, 'input', 'train'))[0]!.j as string)).toMatchObject({ kind: 'dataset', name: 'train' });
    // The fork's relation is recorded; its series rows are its own points only (none).
    expect((await of(fork.key, 'run', 'forkFrom'))[0]!.s).toBe(run.key);
    expect((await of(fork.key, 'run', 'forkStep'))[0]!.i).toBe('1');
    expect(await read(answer.bytes, `SELECT count(*)::int AS n FROM f WHERE run_key = '${fork.key}' AND record = 'metric'`)).toEqual([
      { n: 0 },
    ]);

    const filtered = await download(owner, `?filter=${encodeURIComponent('name = "the-fork"')}`);
    expect(await read(filtered.bytes, 'SELECT DISTINCT run_key FROM f')).toEqual([{ run_key: fork.key }]);
    expect((await download(owner, `?filter=${encodeURIComponent('name = = 1')}`)).status).toBe(400);
  });

  it('a series longer than a batch streams whole, in row groups of at most a batch', async () => {
    const run = await newRun({ name: 'long' });
    const n = ROWS_PER_BATCH * 2 + 10;
    for (let from = 0; from < n; from += 50_000) {
      const steps = Array.from({ length: Math.min(50_000, n - from) }, (_, i) => from + i);
      const ack = await owner.api.post(`${base}/${run.key}/batches`, {
        streamId: 'long',
        seq: from / 50_000,
        metrics: [
          { name: 'x', steps, values: steps.map((s) => s / 2), times: steps.map((s) => 1e12 + s) },
          // A second series after a batch was cut inside the run: its points go to the next batch, none lost.
          ...(from === 0 ? [{ name: 'y', steps: [0, 1, 2], values: [1, 2, 3], times: [1e12, 1e12, 1e12] }] : []),
        ],
      });
      expect(ack.status).toBe(200);
    }
    const answer = await download(owner, `?filter=${encodeURIComponent('name = "long"')}`);
    const [stats] = await read(
      answer.bytes,
      `SELECT count(*)::int AS n, count(DISTINCT step)::int AS steps, min(step)::int AS lo, max(step)::int AS hi, sum(float_value) AS total FROM f WHERE record = 'metric' AND name = 'x'`,
    );
    expect(stats).toEqual({ n, steps: n, lo: 0, hi: n - 1, total: ((n - 1) * n) / 4 });
    expect(await read(answer.bytes, `SELECT step::int AS step, float_value AS v FROM f WHERE name = 'y' ORDER BY step`)).toEqual([
      { step: 0, v: 1 },
      { step: 1, v: 2 },
      { step: 2, v: 3 },
    ]);
    const path = join(dir, 'long.parquet');
    writeFileSync(path, answer.bytes);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const groups = (
      await connection.runAndReadAll(`SELECT row_group_id, row_group_num_rows FROM parquet_metadata('${path}') WHERE column_id = 0`)
    ).getRowObjectsJson();
    connection.closeSync();
    expect(groups.length).toBeGreaterThanOrEqual(3);
    expect(groups.every((g) => Number(g.row_group_num_rows) <= ROWS_PER_BATCH)).toBe(true);
  });

  it('an empty project answers a valid file with the schema and no rows', async () => {
    const empty = (await createProject(owner, org, 'private', 'empty-export')).slug;
    const answer = await download(owner, '', empty);
    expect(answer.status).toBe(200);
    expect(await read(answer.bytes, 'SELECT count(*)::int AS n FROM f')).toEqual([{ n: 0 }]);
    expect((await read(answer.bytes, 'SELECT column_name FROM (DESCRIBE f)')).length).toBe(12);
  });

  it('project readers may export; outsiders and other organizations get 404', async () => {
    const viewer = await addOrgMember(owner, org, 'member', 'viewer');
    expect((await download(viewer)).status).toBe(404); // a private project it is not a member of
    await setProjectRole(owner, org, project, viewer.id, 'viewer');
    expect((await download(viewer)).status).toBe(200);
    const stranger = await signup(t.url, 'Stranger');
    const other = (await createOrg(stranger)).slug;
    expect((await download(stranger)).status).toBe(404);
    expect((await download(owner, '', project, other)).status).toBe(404);
  });

  it("a fork of another project's run carries its fork point and the inherited history its reader may see", async () => {
    // pretrain/A (0..9) <- pretrain/B forked at 6, re-logging step 2 (0..4 own) <- this project's C forked at 3, own 2, 5.
    const pretrain = (await createProject(owner, org, 'private', 'pretrain')).slug;
    const upstream = `/orgs/${org}/projects/${pretrain}/runs`;
    const log = async (runs: string, id: string, steps: number[], values: number[], text?: string[]) => {
      const body: Record<string, unknown> = {
        streamId: 'x',
        seq: 0,
        metrics: [{ name: 'loss', steps, values, times: steps.map((s) => 1e12 + s) }],
      };
      if (text) body.text = [{ name: 'stdout', steps, lines: text, times: steps.map((s) => 1e12 + s) }];
      expect((await owner.api.post(`${runs}/${id}/batches`, body)).status).toBe(200);
    };
    const a = (await owner.api.post(upstream, { name: 'a' })).body;
    await log(upstream, a.id, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], 'abcdefghij'.split(''));
    const b = (await owner.api.post(upstream, { name: 'b', forkFrom: a.key, forkStep: 6 })).body;
    await log(upstream, b.id, [2], [99]);
    const c = await newRun({ name: 'cross', forkFrom: `${pretrain}/${b.key}`, forkStep: 3 });
    await log(base, c.id, [2, 5], [-2, -5]);

    const filter = `?filter=${encodeURIComponent('name = "cross"')}`;
    const answer = await download(owner, filter);
    const rows = (sql: string) => read(answer.bytes, sql);
    expect(
      await rows(`SELECT name, string_value AS s, int_value::int AS i FROM f WHERE record = 'run' AND name LIKE 'fork%' ORDER BY name`),
    ).toEqual([
      { name: 'forkFrom', s: `${pretrain}/${b.key}`, i: null },
      { name: 'forkStep', s: null, i: 3 },
    ]);
    // Own points stay `metric`; the inherited part is what a series read of C shows below its own: A's 0, 1, 3 (B's own 2
    // is hidden by C's own 2), nothing past the fork step 3.
    expect(await rows(`SELECT record, step::int AS step, float_value AS v FROM f WHERE name = 'loss' ORDER BY record, step`)).toEqual([
      { record: 'inherited_metric', step: 0, v: 10 },
      { record: 'inherited_metric', step: 1, v: 11 },
      { record: 'inherited_metric', step: 3, v: 13 },
      { record: 'metric', step: 2, v: -2 },
      { record: 'metric', step: 5, v: -5 },
    ]);
    expect(await rows(`SELECT step::int AS step, string_value AS s FROM f WHERE record = 'inherited_text' ORDER BY step`)).toEqual([
      { step: 0, s: 'a' },
      { step: 1, s: 'b' },
      { step: 2, s: 'c' },
      { step: 3, s: 'd' },
    ]);
    // The same as the series read answers for C.
    const read_ = await owner.api.get(`${base}/${c.id}/series?names=loss&maxPoints=100`);
    expect(read_.body[0]).toMatchObject({ steps: [0, 1, 2, 3, 5], values: [10, 11, -2, 13, -5], inheritedThrough: 3 });

    // A reader of this project who may not read `pretrain` gets the fork point, but none of pretrain's points.
    const reader = await addOrgMember(owner, org, 'member', 'no-pretrain');
    await setProjectRole(owner, org, project, reader.id, 'viewer');
    const limited = await download(reader, filter);
    expect(await read(limited.bytes, `SELECT count(*)::int AS n FROM f WHERE record LIKE 'inherited_%'`)).toEqual([{ n: 0 }]);
    expect(await read(limited.bytes, `SELECT string_value AS s FROM f WHERE record = 'run' AND name = 'forkFrom'`)).toEqual([
      { s: `${pretrain}/${b.key}` },
    ]);
  });
});
