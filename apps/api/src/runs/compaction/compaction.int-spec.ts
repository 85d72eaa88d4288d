import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { SegmentCompactor } from './segment-compactor.service';

// Compaction must change no read: the same points, in the same order, with the same summaries,
// for raw, ranged, downsampled and CSV reads, before and after, also while batches stream in.
let t: TestApp;
let owner: TestUser;
let base: string;
let compactor: SegmentCompactor;
const limits = { small: 512, target: 8_192, minSmall: 16 };

beforeAll(async () => {
  t = await startTestApp({ SEGMENT_COMPACTION_INTERVAL_MS: '0' });
  owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private', 'cmp')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
  compactor = t.app.get(SegmentCompactor);
});
afterAll(() => t.close());

let seq = 0;
const send = async (run: string, name: string, steps: number[], values: Array<number | string>) => {
  const response = await owner.api.post(`${base}/${run}/batches`, {
    streamId: 's',
    seq: seq++,
    metrics: [{ name, steps, values, times: steps.map((s) => 1_000 + s) }],
  });
  expect(response.status).toBe(200);
};

const segmentCount = async (runId: string, name: string): Promise<number> => {
  const [row] = await t.dataSource.query(
    `SELECT count(*)::int AS n FROM series_segments g JOIN series s ON s.id = g.series_id WHERE s.run_id = $1 AND s.name = $2`,
    [runId, name],
  );
  return row.n as number;
};

const newRun = async () => (await owner.api.post(base, {})).body as { id: string; key: string };

/** Every read a client can make of the series, in one object to compare before and after. */
const reads = async (run: string, name: string) => {
  const get = async (query: string) => (await owner.api.get(`${base}/${run}/series?names=${name}${query}`)).body;
  const csv = await owner.api.get(`${base}/${run}/series/${name}.csv`);
  const detail = (await owner.api.get(`${base}/${run}`)).body;
  return {
    raw: await get('&maxPoints=100000'),
    ranged: await get('&from=40&to=120&maxPoints=100000'),
    downsampled: await get('&maxPoints=50'),
    csv: csv.body,
    summary: detail.series.find((s: { name: string }) => s.name === name),
  };
};

it('merges small segments into few and changes no read: order of repeated steps, ranges, downsampling, CSV, summary', async () => {
  const { id, key: run } = await newRun();
  // A large batch first, then single points - one of them before its range, the others
  // repeating its steps: at a repeated step the large batch's point arrived first.
  await send(
    run,
    'loss',
    Array.from({ length: 600 }, (_, i) => 100 + i),
    Array.from({ length: 600 }, (_, i) => i),
  );
  await send(run, 'loss', [50], [-50]);
  for (let i = 1; i <= 20; i++) await send(run, 'loss', [100 + i], [1_000 + i]);
  await send(run, 'loss', [10], ['NaN']);
  for (let i = 0; i < 20; i++) await send(run, 'loss', [700 + i], [i % 3 === 0 ? 'Infinity' : 7 + i]);

  const before = await reads(run, 'loss');
  const repeated = before.raw[0];
  const at = repeated.steps.indexOf(101);
  expect(repeated.steps.slice(at, at + 2)).toEqual([101, 101]);
  expect(repeated.values.slice(at, at + 2)).toEqual([1, 1_001]);
  const segmentsBefore = await segmentCount(id, 'loss');
  expect(segmentsBefore).toBe(43);

  const result = await compactor.pass(limits);
  expect(result.removed).toBeGreaterThanOrEqual(40);
  expect(await segmentCount(id, 'loss')).toBe(2);
  expect(await reads(run, 'loss')).toEqual(before);

  // A second pass finds nothing more to merge.
  expect((await compactor.pass(limits)).removed).toBe(0);
});

it('batches arriving while a series is compacted are all kept, once, in order', async () => {
  const { id, key: run } = await newRun();
  for (let i = 0; i < 40; i++) await send(run, 'acc', [i], [i / 100]);
  const streaming = (async () => {
    for (let i = 40; i < 120; i++) await send(run, 'acc', [i], [i / 100]);
  })();
  let removed = 0;
  for (let i = 0; i < 6; i++) removed += (await compactor.pass(limits)).removed;
  await streaming;
  removed += (await compactor.pass(limits)).removed;
  expect(removed).toBeGreaterThan(0);

  const series = (await owner.api.get(`${base}/${run}/series?names=acc&maxPoints=100000`)).body[0];
  expect(series.steps).toEqual(Array.from({ length: 120 }, (_, i) => i));
  expect(series.values).toEqual(Array.from({ length: 120 }, (_, i) => i / 100));
  const detail = (await owner.api.get(`${base}/${run}`)).body;
  expect(detail.series.find((s: { name: string }) => s.name === 'acc')).toMatchObject({ count: 120, lastStep: 119, last: 1.19 });
  expect(await segmentCount(id, 'acc')).toBeLessThan(10);
});
