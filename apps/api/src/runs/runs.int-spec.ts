import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';
import { CrashMonitor } from './crash-monitor.service';

let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'vis')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
});
afterAll(() => t.close());

async function newRun(body: Record<string, unknown> = {}) {
  const response = await owner.api.post(base, body);
  expect(response.status).toBe(201);
  return response.body;
}

function batch(streamId: string, seq: number, extra: Record<string, unknown> = {}) {
  return { streamId, seq, ...extra };
}

describe('run lifecycle', () => {
  it('creates runs with per-project keys and generated names', async () => {
    const first = await newRun();
    const second = await newRun({ name: 'baseline' });
    expect(first.key).toMatch(/^VIS-\d+$/);
    expect(second.number).toBe(first.number + 1);
    expect(first.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(second.name).toBe('baseline');
    expect(first.state).toBe('running');
    expect(first.url).toContain(`/${org}/${project}/runs/${first.key}`);
    const byKey = await owner.api.get(`${base}/${first.key}`);
    const byId = await owner.api.get(`${base}/${first.id}`);
    expect(byKey.body.id).toBe(first.id);
    expect(byId.body.key).toBe(first.key);
  });

  it('joins the same run for the same external id', async () => {
    const a = await owner.api.post(base, { externalId: 'job-123' });
    const b = await owner.api.post(base, { externalId: 'job-123' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
  });

  it('keeps the start time an importer gives, and refuses one that is not a date', async () => {
    const run = await owner.api.post(base, { name: 'imported', startedAt: '2025-03-01T12:00:00.000Z' });
    expect(run.status).toBe(201);
    expect(run.body.startedAt).toBe('2025-03-01T12:00:00.000Z');
    const bad = await owner.api.post(base, { name: 'bad', startedAt: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('finishes, edits tags and notes, and deletes', async () => {
    const run = await newRun({ tags: ['a'] });
    const patched = await owner.api.patch(`${base}/${run.key}`, {
      state: 'finished',
      tags: ['a', 'b', 'b'],
      notes: '# notes',
      description: 'desc',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ state: 'finished', tags: ['a', 'b'], notes: '# notes', description: 'desc' });
    expect(patched.body.endedAt).not.toBeNull();
    expect((await owner.api.delete(`${base}/${run.key}`)).status).toBe(204);
    expect((await owner.api.get(`${base}/${run.key}`)).status).toBe(404);
  });

  it('answers 404 for unknown or malformed run references', async () => {
    for (const ref of ['VIS-999999', 'NLP-1', '00000000-0000-0000-0000-000000000000', "VIS-1'--", 'VIS-1 OR 1=1']) {
      expect((await owner.api.get(`${base}/${encodeURIComponent(ref)}`)).status).toBe(404);
    }
  });
});

describe('batch ingestion', () => {
  it('stores metrics with NaN and infinities faithfully and keeps summaries current', async () => {
    const run = await newRun();
    const ack = await owner.api.post(
      `${base}/${run.key}/batches`,
      batch('s1', 0, {
        metrics: [{ name: 'loss', steps: [0, 1, 2, 3], values: [1.5, 'NaN', 'Infinity', 0.5], times: [1000, 2000, 3000, 4000] }],
      }),
    );
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ streamId: 's1', seq: 0, duplicate: false, points: 4 });
    await owner.api.post(
      `${base}/${run.key}/batches`,
      batch('s1', 1, {
        metrics: [{ name: 'loss', steps: [4], values: ['-Infinity'], times: [5000] }],
      }),
    );
    const series = await owner.api.get(`${base}/${run.key}/series?names=loss`);
    expect(series.body[0]).toMatchObject({
      name: 'loss',
      steps: [0, 1, 2, 3, 4],
      values: [1.5, 'NaN', 'Infinity', 0.5, '-Infinity'],
      times: [1000, 2000, 3000, 4000, 5000],
      downsampled: false,
    });
    const detail = await owner.api.get(`${base}/${run.key}`);
    expect(detail.body.series).toEqual([
      { name: 'loss', kind: 'metric', count: 5, lastStep: 4, last: '-Infinity', min: '-Infinity', max: 'Infinity', lastTime: 5000 },
    ]);
  });

  it('a retried batch is acknowledged without being applied twice', async () => {
    const run = await newRun();
    const body = batch('worker-0', 7, {
      metrics: [{ name: 'acc', steps: [1, 2], values: [0.1, 0.2], times: [1, 2] }],
      tags: { add: ['x'] },
    });
    expect((await owner.api.post(`${base}/${run.key}/batches`, body)).body.duplicate).toBe(false);
    expect((await owner.api.post(`${base}/${run.key}/batches`, body)).body.duplicate).toBe(true);
    const series = await owner.api.get(`${base}/${run.key}/series?names=acc`);
    expect(series.body[0].steps).toEqual([1, 2]);
    expect(series.body[0].totalPoints).toBe(2);
  });

  it('applies params (nested, stored flat), tags, context and text in one batch', async () => {
    const run = await newRun({ params: { optimizer: { name: 'sgd' } } });
    const ack = await owner.api.post(
      `${base}/${run.key}/batches`,
      batch('s', 0, {
        params: { optimizer: { lr: 0.01, name: 'adam' }, layers: [64, 32] },
        tags: { add: ['baseline', 'gpu'] },
        context: { source: { commit: 'abc123', branch: 'main', dirty: false }, runtime: { language: 'node', version: '20' } },
        text: [{ name: 'stdout', steps: [0, 1, 2], lines: ['epoch 1 start', 'loss=0.5', 'epoch 1 done'], times: [1, 2, 3] }],
        system: [{ name: 'cpu', steps: [0, 1], values: [12.5, 40], times: [1, 2] }],
      }),
    );
    expect(ack.status).toBe(200);
    const detail = (await owner.api.get(`${base}/${run.key}`)).body;
    expect(detail.params).toEqual({ 'optimizer.name': 'adam', 'optimizer.lr': 0.01, layers: [64, 32] });
    expect(detail.tags).toEqual(['baseline', 'gpu']);
    expect(detail.context.source).toEqual({ commit: 'abc123', branch: 'main', dirty: false });
    const text = await owner.api.get(`${base}/${run.key}/series?kind=text&names=stdout&search=EPOCH`);
    expect(text.body[0].lines).toEqual(['epoch 1 start', 'epoch 1 done']);
    const system = await owner.api.get(`${base}/${run.key}/series?kind=system`);
    expect(system.body[0]).toMatchObject({ name: 'cpu', values: [12.5, 40] });
    await owner.api.post(`${base}/${run.key}/batches`, batch('s', 1, { tags: { remove: ['gpu'] } }));
    expect((await owner.api.get(`${base}/${run.key}`)).body.tags).toEqual(['baseline']);
  });

  it('rejects a batch whose columns disagree, and writes nothing of it', async () => {
    const run = await newRun();
    const response = await owner.api.post(
      `${base}/${run.key}/batches`,
      batch('s', 0, {
        metrics: [
          { name: 'ok', steps: [1], values: [1], times: [1] },
          { name: 'bad', steps: [1, 2], values: [1], times: [1, 2] },
        ],
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('series_length_mismatch');
    expect(response.body.error.details[0].path).toBe('metrics.1');
    expect((await owner.api.get(`${base}/${run.key}`)).body.series).toEqual([]);
    // The same (stream, seq) is still free: nothing of the failed batch was committed.
    const retry = await owner.api.post(
      `${base}/${run.key}/batches`,
      batch('s', 0, { metrics: [{ name: 'ok', steps: [1], values: [1], times: [1] }] }),
    );
    expect(retry.body.duplicate).toBe(false);
  });

  it('answers 413 for too many points and 400 for wrong types, never 500', async () => {
    const run = await newRun();
    const n = 2_000_001;
    const big = await owner.api.post(
      `${base}/${run.key}/batches`,
      `{"streamId":"s","seq":0,"metrics":[{"name":"x","steps":[${'0,'.repeat(n - 1)}0],"values":[${'0,'.repeat(n - 1)}0],"times":[${'0,'.repeat(n - 1)}0]}]}`,
    );
    expect(big.status).toBe(413);
    const wrong = await owner.api.post(`${base}/${run.key}/batches`, {
      streamId: 's',
      seq: 'zero',
      metrics: [{ name: 'x', steps: [-1], values: ['one'], times: [0] }],
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('validation_failed');
    const unknown = await owner.api.post(`${base}/${run.key}/batches`, { streamId: 's', seq: 0, metricz: [] });
    expect(unknown.status).toBe(400);
  });
});

describe('series reads', () => {
  it('downsamples to at most N points per series and keeps spikes visible', async () => {
    const run = await newRun();
    const n = 200_000;
    const steps = Array.from({ length: n }, (_, i) => i);
    const values = steps.map((i) => (i === 123_457 ? 1000 : Math.sin(i / 1000)));
    for (let start = 0, seq = 0; start < n; start += 50_000, seq++) {
      const ack = await owner.api.post(
        `${base}/${run.key}/batches`,
        batch('s', seq, {
          metrics: [
            {
              name: 'wave',
              steps: steps.slice(start, start + 50_000),
              values: values.slice(start, start + 50_000),
              times: steps.slice(start, start + 50_000),
            },
          ],
        }),
      );
      expect(ack.status).toBe(200);
    }
    for (const maxPoints of [500, 5_000, 100]) {
      const data = (await owner.api.get(`${base}/${run.key}/series?names=wave&maxPoints=${maxPoints}`)).body[0];
      expect(data.downsampled).toBe(true);
      expect(data.steps.length).toBeLessThanOrEqual(maxPoints);
      expect(data.steps.length).toBeGreaterThan(maxPoints * 0.9);
      expect(Math.max(...data.max)).toBe(1000);
      expect(data.steps).toEqual([...data.steps].sort((a: number, b: number) => a - b));
      expect(data.totalPoints).toBe(n);
    }
    const window = (await owner.api.get(`${base}/${run.key}/series?names=wave&from=1000&to=1099&maxPoints=1000`)).body[0];
    expect(window.downsampled).toBe(false);
    expect(window.steps).toEqual(steps.slice(1000, 1100));
  });

  it('reads many runs in one request and exports a series as CSV', async () => {
    const a = await newRun();
    const b = await newRun();
    for (const [run, v] of [
      [a, 1],
      [b, 2],
    ] as const) {
      await owner.api.post(
        `${base}/${run.key}/batches`,
        batch('s', 0, { metrics: [{ name: 'loss', steps: [0, 1], values: [v, 'NaN'], times: [0, 86_400_000] }] }),
      );
    }
    const many = await owner.api.get(`/orgs/${org}/projects/${project}/series?runs=${a.key},${b.id}&names=loss`);
    expect(many.status).toBe(200);
    expect(many.body.map((s: { runId: string }) => s.runId).sort()).toEqual([a.id, b.id].sort());
    const csv = await owner.api.get(`${base}/${a.key}/series/loss.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toBe('step,value,time\n0,1,1970-01-01T00:00:00.000Z\n1,NaN,1970-01-02T00:00:00.000Z\n');
    expect((await owner.api.get(`${base}/${a.key}/series/nope.csv`)).status).toBe(404);
  });
});

describe('lineage', () => {
  it('walks dataset → run → model → run both ways', async () => {
    const train = await newRun({ name: 'train' });
    const evaluate = await newRun({ name: 'eval' });
    await owner.api.post(
      `${base}/${train.key}/batches`,
      batch('s', 0, {
        inputs: [
          {
            kind: 'dataset',
            name: 'imagenet',
            version: 'v2',
            uri: 's3://data/imagenet',
            digest: 'sha256:aa',
            columns: [{ name: 'label', type: 'int' }],
          },
        ],
        outputs: [
          { kind: 'model', name: 'resnet', version: 'v1', framework: 'pytorch', modelClass: 'ResNet50', hyperparameters: { depth: 50 } },
        ],
      }),
    );
    await owner.api.post(`${base}/${evaluate.key}/batches`, batch('s', 0, { inputs: [{ kind: 'model', name: 'resnet', version: 'v1' }] }));

    const down = (await owner.api.get(`/orgs/${org}/projects/${project}/lineage?kind=dataset&name=imagenet&direction=downstream&depth=3`))
      .body;
    const names = down.nodes.map((n: any) => n.run?.name ?? n.asset?.name).sort();
    expect(names).toEqual(['eval', 'imagenet', 'resnet', 'train']);
    expect(down.edges).toHaveLength(3);

    const up = (await owner.api.get(`/orgs/${org}/projects/${project}/lineage?run=${evaluate.key}&direction=upstream&depth=2`)).body;
    expect(up.nodes.map((n: any) => n.run?.name ?? n.asset?.name).sort()).toEqual(['eval', 'resnet', 'train']);

    const shallow = (
      await owner.api.get(`/orgs/${org}/projects/${project}/lineage?kind=dataset&name=imagenet&direction=downstream&depth=1`)
    ).body;
    expect(shallow.nodes).toHaveLength(2);
    const detail = (await owner.api.get(`${base}/${train.key}`)).body;
    expect(detail.inputs[0]).toMatchObject({ kind: 'dataset', name: 'imagenet', version: 'v2', digest: 'sha256:aa' });
    expect(detail.outputs[0]).toMatchObject({ kind: 'model', framework: 'pytorch', hyperparameters: { depth: 50 } });
  });
});

describe('crash detection', () => {
  it('marks a silent run crashed and revives it on the next heartbeat', async () => {
    const run = await newRun();
    await t.dataSource.query(`UPDATE runs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [run.id]);
    expect(await t.app.get(CrashMonitor).sweep()).toBeGreaterThanOrEqual(1);
    expect((await owner.api.get(`${base}/${run.key}`)).body.state).toBe('crashed');
    const beat = await owner.api.post(`${base}/${run.key}/heartbeat`);
    expect(beat.body.state).toBe('running');
    const after = (await owner.api.get(`${base}/${run.key}`)).body;
    expect(after.state).toBe('running');
    expect(after.endedAt).toBeNull();
  });

  it('leaves finished runs alone', async () => {
    const run = await newRun();
    await owner.api.patch(`${base}/${run.key}`, { state: 'finished' });
    await t.dataSource.query(`UPDATE runs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [run.id]);
    await t.app.get(CrashMonitor).sweep();
    expect((await owner.api.get(`${base}/${run.key}`)).body.state).toBe('finished');
  });
});

describe('permissions', () => {
  it('viewers read runs but cannot create, write batches, edit or delete', async () => {
    const viewer = await addOrgMember(owner, org, 'member');
    await setProjectRole(owner, org, project, viewer.id, 'viewer');
    const run = await newRun();
    expect((await viewer.api.get(`${base}/${run.key}`)).status).toBe(200);
    expect((await viewer.api.post(base, {})).status).toBe(403);
    expect((await viewer.api.post(`${base}/${run.key}/batches`, batch('v', 0))).status).toBe(403);
    expect((await viewer.api.patch(`${base}/${run.key}`, { notes: 'x' })).status).toBe(403);
    expect((await viewer.api.delete(`${base}/${run.key}`)).status).toBe(403);
    expect((await viewer.api.post(`${base}/${run.key}/heartbeat`)).status).toBe(403);
  });

  it('runs of another organization are 404', async () => {
    const stranger = await signup(t.url);
    const run = await newRun();
    expect((await stranger.api.get(`${base}/${run.key}`)).status).toBe(404);
    expect((await stranger.api.post(`${base}/${run.key}/batches`, batch('x', 0))).status).toBe(404);
  });
});
