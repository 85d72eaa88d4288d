import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { BatchGroups } from './batch-groups';

// Batches sent at once wait for the organization's group in flight and then
// commit together; these tests send bursts so that they do, and check that
// grouping keeps every guarantee of a batch committed alone.
let t: TestApp;
let owner: TestUser;
let base: string;
let groupSizes: number[];

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private', 'grp')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
  // Watch the size of each group committed (a private method, observed, not changed).
  const groups = t.app.get(BatchGroups) as unknown as { commitGroup(org: string, items: unknown[]): Promise<unknown> };
  const commitGroup = groups.commitGroup.bind(groups);
  groups.commitGroup = (organizationId, items) => {
    groupSizes.push(items.length);
    return commitGroup(organizationId, items);
  };
});
afterAll(() => t.close());

const newRun = async () => (await owner.api.post(base, {})).body as { id: string; key: string };
const metric = (name: string, steps: number[], values: number[]) => ({ name, steps, values, times: steps.map((s) => 1000 + s) });

it('batches sent at once commit in shared groups, each applied exactly once with summaries as if applied in turn', async () => {
  groupSizes = [];
  const runs = await Promise.all([newRun(), newRun(), newRun()]);
  const sends = runs.flatMap((run, r) =>
    Array.from({ length: 12 }, (_, seq) =>
      owner.api.post(`${base}/${run.key}/batches`, {
        streamId: `w${seq % 3}`,
        seq,
        metrics: [metric('loss', [seq * 2, seq * 2 + 1], [100 - seq - r, 99 - seq - r]), metric(`only_${seq % 2}`, [seq], [seq])],
      }),
    ),
  );
  const acks = await Promise.all(sends);
  expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));
  expect(acks.every((a) => a.body.duplicate === false)).toBe(true);
  expect(Math.max(...groupSizes)).toBeGreaterThan(1);

  for (const [r, run] of runs.entries()) {
    const loss = (await owner.api.get(`${base}/${run.key}/series?names=loss`)).body[0];
    expect(loss.steps).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const detail = (await owner.api.get(`${base}/${run.key}`)).body;
    expect(detail.series.find((s: { name: string }) => s.name === 'loss')).toMatchObject({
      count: 24,
      lastStep: 23,
      last: 99 - 11 - r,
      min: 99 - 11 - r,
      max: 100 - r,
      lastTime: 1023,
    });
    expect(detail.series.find((s: { name: string }) => s.name === 'only_1')).toMatchObject({ count: 6, lastStep: 11, last: 11 });
  }
});

it('a retry arriving in the same group as its original is acknowledged as a duplicate and not applied twice', async () => {
  groupSizes = [];
  const run = await newRun();
  const body = { streamId: 's', seq: 5, metrics: [metric('acc', [1, 2, 3], [0.1, 0.2, 0.3])] };
  const filler = (seq: number) => ({ streamId: 'f', seq, metrics: [metric('other', [seq], [seq])] });
  const acks = await Promise.all([
    owner.api.post(`${base}/${run.key}/batches`, filler(0)),
    owner.api.post(`${base}/${run.key}/batches`, body),
    owner.api.post(`${base}/${run.id}/batches`, body), // the same run named by id
    owner.api.post(`${base}/${run.key}/batches`, body),
    owner.api.post(`${base}/${run.key}/batches`, filler(1)),
  ]);
  expect(acks.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  expect(acks.slice(1, 4).filter((a) => a.body.duplicate === false)).toHaveLength(1);
  expect(acks.slice(1, 4).filter((a) => a.body.duplicate === true)).toHaveLength(2);
  const acc = (await owner.api.get(`${base}/${run.key}/series?names=acc`)).body[0];
  expect(acc.steps).toEqual([1, 2, 3]);
  expect(acc.totalPoints).toBe(3);
  expect((await owner.api.get(`${base}/${run.key}`)).body.series.find((s: { name: string }) => s.name === 'acc').count).toBe(3);
});

it('a batch the database refuses fails alone: its neighbours in the group commit and it leaves nothing behind', async () => {
  groupSizes = [];
  await t.dataSource.query(`
    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.name = 'poison' THEN RAISE EXCEPTION 'poison refused'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER refuse_poison BEFORE INSERT ON series FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
  try {
    const [good, bad] = await Promise.all([newRun(), newRun()]);
    const acks = await Promise.all([
      ...Array.from({ length: 6 }, (_, seq) =>
        owner.api.post(`${base}/${good.key}/batches`, { streamId: 'g', seq, metrics: [metric('loss', [seq], [seq])] }),
      ),
      owner.api.post(`${base}/${bad.key}/batches`, {
        streamId: 'b',
        seq: 0,
        metrics: [metric('fine', [1], [1]), metric('poison', [1], [1])],
      }),
      ...Array.from({ length: 6 }, (_, seq) =>
        owner.api.post(`${base}/${good.key}/batches`, { streamId: 'g', seq: seq + 6, metrics: [metric('loss', [seq + 6], [seq])] }),
      ),
    ]);
    expect(Math.max(...groupSizes)).toBeGreaterThan(1);
    const poisoned = acks.splice(6, 1)[0]!;
    expect(poisoned.status).toBe(500);
    expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));
    expect((await owner.api.get(`${base}/${good.key}/series?names=loss`)).body[0].totalPoints).toBe(12);
    expect((await owner.api.get(`${base}/${bad.key}`)).body.series).toEqual([]);
    await t.dataSource.query(`DROP TRIGGER refuse_poison ON series`);
    // Its (stream, seq) was never recorded: sent again it is new.
    const retry = await owner.api.post(`${base}/${bad.key}/batches`, { streamId: 'b', seq: 0, metrics: [metric('fine', [1], [1])] });
    expect(retry.body.duplicate).toBe(false);
  } finally {
    await t.dataSource.query(`DROP TRIGGER IF EXISTS refuse_poison ON series; DROP FUNCTION IF EXISTS refuse_poison()`);
  }
});

it('a batch for a run deleted while batches stream in is answered 404 and its neighbours commit', async () => {
  const [kept, doomed] = await Promise.all([newRun(), newRun()]);
  let seq = 0;
  const send = (run: { key: string }, s: number) =>
    owner.api.post(`${base}/${run.key}/batches`, { streamId: 'x', seq: s, metrics: [metric('loss', [s], [s])] });
  for (; seq < 3; seq++) expect((await Promise.all([send(kept, seq), send(doomed, seq)])).map((a) => a.status)).toEqual([200, 200]);
  const [deleted, ...after] = await Promise.all([owner.api.delete(`${base}/${doomed.key}`), send(kept, seq), send(doomed, seq)]);
  expect(deleted.status).toBe(204);
  expect(after[0]!.status).toBe(200);
  // Raced with the deletion: either committed before it (and deleted with the run) or refused after it.
  expect([200, 404]).toContain(after[1]!.status);
  seq++;
  const late = await Promise.all([send(kept, seq), send(doomed, seq)]);
  expect(late.map((a) => a.status)).toEqual([200, 404]);
  expect(late[1]!.body.error.code).toBe('not_found');
  expect((await owner.api.get(`${base}/${kept.key}/series?names=loss`)).body[0].totalPoints).toBe(seq + 1);
  // The deleted run is in the trash with what it had committed; the batch refused after its deletion left nothing.
  const refused = await t.dataSource.query(`SELECT count(*)::int AS n FROM run_batches WHERE run_id = $1 AND seq = $2`, [doomed.id, seq]);
  expect(refused[0].n).toBe(0);
});

it('a series first seen in a later batch joins the run while other batches stream in', async () => {
  const run = await newRun();
  const acks = await Promise.all(
    Array.from({ length: 8 }, (_, seq) =>
      owner.api.post(`${base}/${run.key}/batches`, {
        streamId: 'n',
        seq,
        metrics: [metric('loss', [seq], [seq]), ...(seq >= 4 ? [metric(`new_${seq}`, [seq], [seq])] : [])],
        system: seq === 6 ? [{ name: 'cpu', steps: [seq], values: [50], times: [1] }] : undefined,
        text: seq === 7 ? [{ name: 'stdout', steps: [seq], lines: ['hello'], times: [1] }] : undefined,
      }),
    ),
  );
  expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));
  const names = (await owner.api.get(`${base}/${run.key}`)).body.series.map((s: { kind: string; name: string }) => `${s.kind}:${s.name}`);
  expect(names.sort()).toEqual([
    'metric:loss',
    'metric:new_4',
    'metric:new_5',
    'metric:new_6',
    'metric:new_7',
    'system:cpu',
    'text:stdout',
  ]);
  const text = (await owner.api.get(`${base}/${run.key}/series?kind=text&names=stdout`)).body[0];
  expect(text.lines).toEqual(['hello']);
});
