import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startS3rver, type TestS3 } from '../../test/s3rver';
import { startTestApp, type TestApp } from '../../test/test-app';
import { sendUpload, sha256 } from '../../test/upload-client';

type Cell = number | string | boolean | null;

function tableDocument(columns: Array<{ name: string; type: string }>, data: Cell[][], rowCount = data[0]?.length ?? 0): Buffer {
  return Buffer.from(JSON.stringify({ format: 'trackbase.table/1', columns, rowCount, data }));
}

const LABELS = ['cat', 'dog', 'bird'];
/** `n` rows: id, label (cycling), score = id / n, correct = id even. */
function predictions(n: number): Buffer {
  const ids = Array.from({ length: n }, (_, i) => i);
  return tableDocument(
    [
      { name: 'id', type: 'number' },
      { name: 'label', type: 'string' },
      { name: 'score', type: 'number' },
      { name: 'correct', type: 'bool' },
    ],
    [ids, ids.map((i) => LABELS[i % 3]!), ids.map((i) => i / n), ids.map((i) => i % 2 === 0)],
  );
}

describe.each(['local', 's3'] as const)('run tables on the %s store', (driverName) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let owner: TestUser;
  let projectPath: string;
  let tablesOf: (run: string) => string;

  beforeAll(async () => {
    s3 = driverName === 's3' ? await startS3rver() : undefined;
    t = await startTestApp({ ...(s3?.env ?? {}) });
    owner = await signup(t.url, 'Owner');
    const org = (await createOrg(owner)).slug;
    const project = (await createProject(owner, org)).slug;
    projectPath = `/orgs/${org}/projects/${project}`;
    tablesOf = (run) => `${projectPath}/runs/${run}/tables`;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  async function newRun(): Promise<string> {
    const response = await owner.api.post(`${projectPath}/runs`, {});
    expect(response.status).toBe(201);
    return response.body.key;
  }

  /** Declares, uploads what is asked for, declares again: as the SDKs do. */
  async function logTables(run: string, tables: Array<{ key: string; step: number; doc: Buffer }>) {
    const declarations = tables.map((x) => ({ key: x.key, step: x.step, size: x.doc.length, sha256: sha256(x.doc) }));
    const first = await owner.api.post(tablesOf(run), { tables: declarations });
    if (first.status !== 200) return first;
    for (const [i, result] of first.body.tables.entries()) {
      if (result.state === 'upload')
        expect((await sendUpload(owner.api, projectPath, result.upload, tables[i]!.doc))?.body.state).toBe('available');
    }
    return owner.api.post(tablesOf(run), { tables: declarations });
  }

  it('stores a table and answers sorted, filtered pages and column statistics', async () => {
    const run = await newRun();
    const doc = predictions(1000);
    const logged = await logTables(run, [{ key: 'eval/preds', step: 3, doc }]);
    expect(logged.status).toBe(200);
    expect(logged.body.tables[0]).toMatchObject({
      key: 'eval/preds',
      step: 3,
      state: 'ready',
      table: { rowCount: 1000, digest: sha256(doc), columns: [{ name: 'id', type: 'number' }, {}, {}, {}] },
    });

    const page = await owner.api.get(`${tablesOf(run)}/rows?key=eval/preds&sort=-score&limit=3&offset=1`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ matchedRows: 1000, offset: 1 });
    expect(page.body.rows.map((r: Cell[]) => r[0])).toEqual([998, 997, 996]);

    const filter = encodeURIComponent('label = "dog" AND score >= 0.5 AND correct = true');
    const filtered = await owner.api.get(`${tablesOf(run)}/rows?key=eval/preds&filter=${filter}&sort=id&limit=2`);
    expect(filtered.body.rows).toEqual([
      [502, 'dog', 0.502, true],
      [508, 'dog', 0.508, true],
    ]);
    expect(filtered.body.matchedRows).toBe(83);

    const stats = await owner.api.get(`${tablesOf(run)}/stats?key=eval/preds`);
    expect(stats.status).toBe(200);
    expect(stats.body.matchedRows).toBe(1000);
    expect(stats.body.columns[0]).toMatchObject({ name: 'id', nulls: 0, distinct: 1000, min: 0, max: 999, mean: 499.5 });
    expect(stats.body.columns[1].top).toEqual([
      { value: 'cat', count: 334 },
      { value: 'bird', count: 333 },
      { value: 'dog', count: 333 },
    ]);

    const bad = await owner.api.get(`${tablesOf(run)}/rows?key=eval/preds&filter=${encodeURIComponent('nope > 1')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_table_query');
    const badSort = await owner.api.get(`${tablesOf(run)}/rows?key=eval/preds&sort=${encodeURIComponent('id"; DROP TABLE x --')}`);
    expect(badSort.status).toBe(400);
  });

  it('a retried declaration is ready at once, and each step keeps its own table', async () => {
    const run = await newRun();
    const early = predictions(10);
    const late = predictions(20);
    await logTables(run, [{ key: 'preds', step: 1, doc: early }]);
    const again = await owner.api.post(tablesOf(run), { tables: [{ key: 'preds', step: 1, size: early.length, sha256: sha256(early) }] });
    expect(again.body.tables[0]).toMatchObject({ state: 'ready' });
    expect(again.body.tables[0].upload).toBeUndefined();
    await logTables(run, [{ key: 'preds', step: 2, doc: late }]);

    const list = await owner.api.get(tablesOf(run));
    expect(list.body.tables.map((x: { key: string; step: number; rowCount: number }) => [x.key, x.step, x.rowCount])).toEqual([
      ['preds', 1, 10],
      ['preds', 2, 20],
    ]);
    expect((await owner.api.get(`${tablesOf(run)}/rows?key=preds`)).body.matchedRows).toBe(20);
    expect((await owner.api.get(`${tablesOf(run)}/rows?key=preds&step=1`)).body.matchedRows).toBe(10);
    expect((await owner.api.get(`${tablesOf(run)}/rows?key=preds&step=7`)).status).toBe(404);
    const objects = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM stored_objects WHERE content_type = 'application/vnd.apache.parquet'`,
    );
    expect(objects[0].n).toBeGreaterThanOrEqual(2);
  });

  it('bad tables are refused with their code and do not keep the good ones out', async () => {
    const run = await newRun();
    const columns = [
      { name: 'a', type: 'number' },
      { name: 'b', type: 'string' },
    ];
    const ragged = tableDocument(columns, [[1, 2, 3], ['x']], 3);
    const mismatch = tableDocument(columns, [
      [1, 'two'],
      ['x', 'y'],
    ]);
    const tooMany = tableDocument([{ name: 'a', type: 'number' }], [[]], 200_001);
    const logged = await logTables(run, [
      { key: 'ragged', step: 0, doc: ragged },
      { key: 'good', step: 0, doc: predictions(5) },
      { key: 'mismatch', step: 0, doc: mismatch },
      { key: 'huge', step: 0, doc: tooMany },
    ]);
    expect(logged.status).toBe(200);
    expect(
      logged.body.tables.map((r: { state: string; error?: { code: string; status: number } }) => [r.state, r.error?.code, r.error?.status]),
    ).toEqual([
      ['rejected', 'table_ragged_rows', 400],
      ['ready', undefined, undefined],
      ['rejected', 'table_schema_mismatch', 400],
      ['rejected', 'table_too_large', 413],
    ]);
    expect((await owner.api.get(tablesOf(run))).body.tables.map((x: { key: string }) => x.key)).toEqual(['good']);

    const onlyBad = await owner.api.post(tablesOf(run), {
      tables: [{ key: 'huge', step: 0, size: tooMany.length, sha256: sha256(tooMany) }],
    });
    expect(onlyBad.status).toBe(413);
    expect(onlyBad.body.error.code).toBe('table_too_large');
    const notJson = Buffer.from('{"format": "trackbase.table/1", "columns": [');
    const broken = await logTables(run, [{ key: 'broken', step: 0, doc: notJson }]);
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_table');
  });

  it('compares one key across two runs, joined on a chosen column', async () => {
    const columns = [
      { name: 'id', type: 'number' },
      { name: 'pred', type: 'string' },
    ];
    const a = await newRun();
    const b = await newRun();
    await logTables(a, [
      {
        key: 'preds',
        step: 0,
        doc: tableDocument(columns, [
          [1, 2, 3],
          ['cat', 'dog', 'cow'],
        ]),
      },
    ]);
    await logTables(b, [
      {
        key: 'preds',
        step: 0,
        doc: tableDocument(columns, [
          [2, 3, 4],
          ['dog', 'cat', 'emu'],
        ]),
      },
    ]);
    const compared = await owner.api.get(`${projectPath}/tables/compare?key=preds&runs=${a},${b}&on=id`);
    expect(compared.status).toBe(200);
    expect(compared.body.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'pred', type: 'string', run: a },
      { name: 'pred', type: 'string', run: b },
    ]);
    expect(compared.body.rows).toEqual([
      [1, 'cat', null],
      [2, 'dog', 'dog'],
      [3, 'cow', 'cat'],
      [4, null, 'emu'],
    ]);
    expect(compared.body.matchedRows).toBe(4);
    const badColumn = await owner.api.get(`${projectPath}/tables/compare?key=preds&runs=${a},${b}&on=nope`);
    expect(badColumn.status).toBe(400);
    expect(badColumn.body.error.code).toBe('invalid_table_query');
  });

  it("another organization's table answers 404, as one that does not exist", async () => {
    const run = await newRun();
    await logTables(run, [{ key: 'preds', step: 0, doc: predictions(3) }]);
    const stranger = await signup(t.url, 'Stranger');
    const theirs = (await createOrg(stranger)).slug;
    await createProject(stranger, theirs);
    expect((await stranger.api.get(`${tablesOf(run)}/rows?key=preds`)).status).toBe(404);
    expect((await stranger.api.get(`${tablesOf(run)}/stats?key=preds`)).status).toBe(404);
    expect((await owner.api.get(`${tablesOf(run)}/rows?key=missing`)).status).toBe(404);
  });
});
