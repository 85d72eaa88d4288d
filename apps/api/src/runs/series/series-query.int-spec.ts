import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';

let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;
let base: string;
let query: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'chart')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
  query = `/orgs/${org}/projects/${project}/series/query`;
});
afterAll(() => t.close());

async function newRun(params: Record<string, unknown> = {}) {
  const response = await owner.api.post(base, { params });
  expect(response.status).toBe(201);
  return response.body as { id: string; key: string };
}

async function log(
  run: { key: string },
  seq: number,
  metrics: Array<{ name: string; steps: number[]; values: unknown[]; times?: number[] }>,
) {
  const ack = await owner.api.post(`${base}/${run.key}/batches`, {
    streamId: 's',
    seq,
    metrics: metrics.map((m) => ({ ...m, times: m.times ?? m.steps.map((s) => 1_700_000_000_000 + s) })),
  });
  expect(ack.status).toBe(200);
}

describe('series query', () => {
  it('reads the named series of many runs in one request, in the order the runs were named', async () => {
    const a = await newRun({ lr: 0.01, optimizer: 'adam' });
    const b = await newRun();
    await log(a, 0, [
      { name: 'loss', steps: [0, 1, 2], values: [3, 'NaN', 1] },
      { name: 'acc', steps: [0, 1], values: [0.1, 0.2] },
      { name: 'other', steps: [0], values: [9] },
    ]);
    await log(b, 0, [{ name: 'loss', steps: [5, 6], values: [2, 'Infinity'] }]);

    const response = await owner.api.post(query, { runs: [b.key, a.id, 'CHART-99999'], names: ['loss', 'acc'] });
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.runs).toEqual([b.id, a.id]);
    expect(body.missingRuns).toEqual(['CHART-99999']);
    expect(body.series.map((s: { run: number; name: string }) => `${s.run}:${s.name}`)).toEqual(['0:loss', '1:acc', '1:loss']);
    const aLoss = body.series[2];
    expect(aLoss).toMatchObject({ steps: [0, 1, 2], values: [3, 'NaN', 1], downsampled: false, append: false, totalPoints: 3 });
    expect(aLoss.times).toEqual([1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002]);
    expect(aLoss.min).toBeUndefined();
    expect(body.series[0]).toMatchObject({ steps: [5, 6], values: [2, 'Infinity'], lastStep: 6 });

    const stepsOnly = (await owner.api.post(query, { runs: [a.key], names: ['loss'], times: false, from: 1, to: 2 })).body;
    expect(stepsOnly.series[0].steps).toEqual([1, 2]);
    expect(stepsOnly.series[0].times).toBeUndefined();

    const summaries = (await owner.api.post(query, { runs: [a.key], maxPoints: 0, params: true })).body;
    expect(summaries.params).toEqual([{ lr: 0.01, optimizer: 'adam' }]);
    expect(
      summaries.series.map((s: { name: string; steps: number[]; totalPoints: number }) => [s.name, s.steps.length, s.totalPoints]),
    ).toEqual([
      ['acc', 0, 2],
      ['loss', 0, 3],
      ['other', 0, 1],
    ]);
  });

  it("names only: the distinct series names of many runs, a fork inheriting its parent's, without a summary per series", async () => {
    const a = await newRun();
    const b = await newRun();
    await log(a, 0, [
      { name: 'train/loss', steps: [0, 1], values: [1, 2] },
      { name: 'lr', steps: [0], values: [0.1] },
    ]);
    await log(b, 0, [
      { name: 'train/loss', steps: [0], values: [3] },
      { name: 'val/loss', steps: [0], values: [4] },
    ]);
    const fork = (await owner.api.post(base, { forkFrom: a.key, forkStep: 1 })).body as { key: string };
    await log(fork, 0, [{ name: 'fork/only', steps: [2], values: [5] }]);
    const body = (await owner.api.post(query, { runs: [a.key, b.key, 'CHART-99999'], namesOnly: true, params: true })).body;
    expect(body.names).toEqual(['lr', 'train/loss', 'val/loss']);
    expect(body.series).toEqual([]);
    expect(body.runs).toEqual([a.id, b.id]);
    expect(body.missingRuns).toEqual(['CHART-99999']);
    expect(body.params).toHaveLength(2);
    // A fork shows its parent's series as well as its own.
    expect((await owner.api.post(query, { runs: [fork.key], namesOnly: true })).body.names).toEqual(['fork/only', 'lr', 'train/loss']);
    expect((await owner.api.post(query, { runs: [b.key], namesOnly: true, kind: 'system' })).body.names).toEqual([]);
  });

  it('downsamples each series to maxPoints buckets and keeps the extremes of every bucket', async () => {
    const run = await newRun();
    const n = 30_000;
    const steps = Array.from({ length: n }, (_, i) => i);
    const values = steps.map((i) => (i === 12_345 ? 1000 : i === 23_456 ? -1000 : Math.sin(i / 100)));
    await log(run, 0, [
      { name: 'wave', steps, values },
      { name: 'short', steps: [0, 1], values: [1, 2] },
    ]);
    for (const maxPoints of [50, 1_000]) {
      const body = (await owner.api.post(query, { runs: [run.key], maxPoints })).body;
      const wave = body.series.find((s: { name: string }) => s.name === 'wave');
      expect(wave.downsampled).toBe(true);
      expect(wave.steps.length).toBeLessThanOrEqual(maxPoints);
      expect(wave.steps.length).toBeGreaterThan(maxPoints * 0.9);
      expect(wave.steps).toEqual([...wave.steps].sort((x: number, y: number) => x - y));
      expect(Math.max(...wave.max)).toBe(1000);
      expect(Math.min(...wave.min)).toBe(-1000);
      expect(wave.totalPoints).toBe(n);
      // The short series in the same answer is not downsampled.
      expect(body.series.find((s: { name: string }) => s.name === 'short')).toMatchObject({ steps: [0, 1], downsampled: false });
    }
    // Charts that draw only the line leave the extremes out.
    const lean = (await owner.api.post(query, { runs: [run.key], names: ['wave'], maxPoints: 50, extremes: false })).body;
    expect(lean.series[0]).toMatchObject({ downsampled: true, totalPoints: n });
    expect(lean.series[0].steps.length).toBeGreaterThan(45);
    expect(lean.series[0].min).toBeUndefined();
    expect(lean.series[0].max).toBeUndefined();
    const zoom = (await owner.api.post(query, { runs: [run.key], names: ['wave'], from: 12_300, to: 12_399, maxPoints: 1_000 })).body;
    expect(zoom.series[0].downsampled).toBe(false);
    expect(zoom.series[0].steps).toEqual(steps.slice(12_300, 12_400));
    expect(zoom.series[0].values[45]).toBe(1000);
  });

  it('with a cursor answers only the points logged since, and series that are new', async () => {
    const a = await newRun();
    const b = await newRun();
    await log(a, 0, [{ name: 'loss', steps: [0, 1], values: [1, 0.9] }]);
    await log(b, 0, [{ name: 'loss', steps: [0], values: [2] }]);
    const first = (await owner.api.post(query, { runs: [a.key, b.key] })).body;
    expect(first.series).toHaveLength(2);

    const unchanged = (await owner.api.post(query, { runs: [a.key, b.key], cursor: first.cursor })).body;
    expect(unchanged.series).toEqual([]);

    await log(a, 1, [
      { name: 'loss', steps: [2, 3], values: [0.8, 0.7] },
      { name: 'lr', steps: [3], values: [0.001] },
    ]);
    const next = (await owner.api.post(query, { runs: [a.key, b.key], cursor: unchanged.cursor })).body;
    expect(
      next.series.map((s: { run: number; name: string; steps: number[]; append: boolean }) => [s.run, s.name, s.steps, s.append]),
    ).toEqual([
      [0, 'loss', [2, 3], true],
      [0, 'lr', [3], false],
    ]);
    expect(next.series[0].values).toEqual([0.8, 0.7]);

    const after = (await owner.api.post(query, { runs: [a.key, b.key], cursor: next.cursor })).body;
    expect(after.series).toEqual([]);
  });

  it('refuses a cursor it did not issue, one of another kind, unknown fields and oversized reads with 400 and a code', async () => {
    const run = await newRun();
    await log(
      run,
      0,
      Array.from({ length: 60 }, (_, i) => ({ name: `m${i}`, steps: [0], values: [i] })),
    );
    const garbage = await owner.api.post(query, { runs: [run.key], cursor: 'not-a-cursor' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('invalid_cursor');
    const system = (await owner.api.post(query, { runs: [run.key], kind: 'system' })).body;
    const wrongKind = await owner.api.post(query, { runs: [run.key], cursor: system.cursor });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.error.code).toBe('invalid_cursor');
    const unknown = await owner.api.post(query, { runs: [run.key], everything: true });
    expect(unknown.status).toBe(400);
    const tooLarge = await owner.api.post(query, { runs: [run.key], maxPoints: 100_000 });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error.code).toBe('series_query_too_large');
    expect((await owner.api.post(query, { runs: [run.key], maxPoints: 10_000 })).status).toBe(200);
  });

  it("another organization's project is 404 and its runs are reported missing, never read", async () => {
    const run = await newRun();
    await log(run, 0, [{ name: 'secret', steps: [0], values: [42] }]);
    const stranger = await signup(t.url, 'Stranger');
    expect((await stranger.api.post(query, { runs: [run.key] })).status).toBe(404);

    const theirOrg = (await createOrg(stranger)).slug;
    const theirProject = (await createProject(stranger, theirOrg, 'private', 'chart')).slug;
    const theirQuery = `/orgs/${theirOrg}/projects/${theirProject}/series/query`;
    // Our run's id and key asked for through their own project: not found there.
    const answer = await stranger.api.post(theirQuery, { runs: [run.id, run.key] });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ runs: [], missingRuns: [run.id, run.key], series: [] });
    // A cursor naming our series ids reads nothing of them either.
    const ours = (await owner.api.post(query, { runs: [run.key] })).body;
    const theirRun = (await stranger.api.post(`/orgs/${theirOrg}/projects/${theirProject}/runs`, {})).body;
    const forged = await stranger.api.post(theirQuery, { runs: [theirRun.key], cursor: ours.cursor });
    expect(forged.status).toBe(200);
    expect(forged.body.series).toEqual([]);
  });
});
