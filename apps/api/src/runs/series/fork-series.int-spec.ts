import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, uniqueSlug, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';

let t: TestApp;
let owner: TestUser;
let base: string;
let query: string;
let project: string;
let org: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Forker');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'forks')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
  query = `/orgs/${org}/projects/${project}/series/query`;
});
afterAll(() => t.close());

type RunBody = {
  id: string;
  key: string;
  params: Record<string, unknown>;
  fork: { runId: string; key: string; step: number; project?: string } | null;
};

async function newRun(body: Record<string, unknown> = {}, user = owner, runs = base): Promise<RunBody> {
  const response = await user.api.post(runs, body);
  expect(response.status).toBe(201);
  return response.body as RunBody;
}

async function log(run: { key: string }, name: string, steps: number[], values: number[], user = owner, runs = base) {
  const ack = await user.api.post(`${runs}/${run.key}/batches`, {
    streamId: `s-${name}-${steps[0]}`,
    seq: 0,
    metrics: [{ name, steps, values, times: steps.map((s) => 1_700_000_000_000 + s) }],
  });
  expect(ack.status).toBe(200);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function packed(run: { key: string }, extra: Record<string, unknown> = {}) {
  const response = await owner.api.post(query, { runs: [run.key], names: ['loss'], ...extra });
  expect(response.status).toBe(200);
  return response.body.series[0] as { steps: number[]; values: number[]; inheritedThrough?: number; lastStep: number | null };
}

async function simple(run: { key: string }, extra = '') {
  const response = await owner.api.get(`${base}/${run.key}/series?names=loss${extra}`);
  expect(response.status).toBe(200);
  return response.body[0] as { runId: string; steps: number[]; values: number[]; inheritedThrough?: number };
}

describe('forks', () => {
  it('a fork inherits the parent params and its points through the fork step, then shows its own', async () => {
    const parent = await newRun({ params: { lr: 0.1, model: { depth: 4 } } });
    await log(
      parent,
      'loss',
      range(0, 20),
      range(0, 20).map((s) => 100 + s),
    );
    const child = await newRun({ forkFrom: parent.key, forkStep: 10, params: { lr: 0.05 } });
    expect(child.fork).toEqual({ runId: parent.id, key: parent.key, step: 10 });
    expect(child.params).toEqual({ lr: 0.05, 'model.depth': 4 });
    expect((await owner.api.get(`${base}/${child.key}`)).body.fork).toEqual({ runId: parent.id, key: parent.key, step: 10 });

    // Inherited only: the parent's points 0..10 (N-1 and N in, N+1 out).
    let s = await packed(child);
    expect(s.steps).toEqual(range(0, 10));
    expect(s.values).toEqual(range(100, 110));
    expect(s.inheritedThrough).toBe(10);
    expect(s.lastStep).toBe(10);

    // The child's own from N+1; the parent's N+1.. stay the parent's.
    await log(
      child,
      'loss',
      range(11, 15),
      range(11, 15).map((x) => 200 + x),
    );
    s = await packed(child);
    expect(s.steps).toEqual(range(0, 15));
    expect(s.values.slice(9, 13)).toEqual([109, 110, 211, 212]);
    const viaGet = await simple(child);
    expect(viaGet.runId).toBe(child.id);
    expect(viaGet.steps).toEqual(range(0, 15));
    expect(viaGet.values.slice(9, 13)).toEqual([109, 110, 211, 212]);
    expect(viaGet.inheritedThrough).toBe(10);
    // A range read around the fork step.
    expect((await packed(child, { from: 9, to: 11 })).values).toEqual([109, 110, 211]);
    expect((await simple(child, '&from=10&to=10')).values).toEqual([110]);

    // The parent reads unchanged.
    const p = await packed(parent);
    expect(p.steps).toEqual(range(0, 20));
    expect(p.inheritedThrough).toBeUndefined();
  });

  it("a fork's own points at or before the fork step win over the parent's at the same step", async () => {
    const parent = await newRun();
    await log(parent, 'loss', range(0, 6), [0, 1, 2, 3, 4, 5, 6]);
    const child = await newRun({ forkFrom: parent.id, forkStep: 4 });
    await log(child, 'loss', [3, 4, 5], [-3, -4, -5]);
    const s = await packed(child);
    expect(s.steps).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.values).toEqual([0, 1, 2, -3, -4, -5]);
  });

  it('forks of forks inherit through the chain, each ancestor up to the smallest fork step below it', async () => {
    const a = await newRun();
    await log(a, 'loss', range(0, 30), range(0, 30));
    const b = await newRun({ forkFrom: a.key, forkStep: 20 });
    await log(
      b,
      'loss',
      range(21, 30),
      range(21, 30).map((x) => 1000 + x),
    );
    const c = await newRun({ forkFrom: b.key, forkStep: 25 });
    await log(c, 'loss', [26, 27], [5026, 5027]);
    const s = await packed(c);
    expect(s.steps).toEqual(range(0, 27));
    expect(s.values).toEqual([...range(0, 20), ...range(1021, 1025), 5026, 5027]);
    expect(s.inheritedThrough).toBe(25);
    // A fork of b at a step below b's own fork reaches a only that far.
    const d = await newRun({ forkFrom: b.key, forkStep: 5 });
    expect((await packed(d)).steps).toEqual(range(0, 5));

    const lineage = (await owner.api.get(`${base.replace(/\/runs$/, '/lineage')}?run=${b.key}`)).body;
    const forkEdges = lineage.edges.filter((e: { kind: string }) => e.kind === 'fork');
    expect(forkEdges).toEqual(
      expect.arrayContaining([
        { from: `run:${a.id}`, to: `run:${b.id}`, kind: 'fork', step: 20 },
        { from: `run:${b.id}`, to: `run:${c.id}`, kind: 'fork', step: 25 },
        { from: `run:${b.id}`, to: `run:${d.id}`, kind: 'fork', step: 5 },
      ]),
    );
  });

  it('an incremental query (cursor) sends only the new points of a fork', async () => {
    const parent = await newRun();
    await log(parent, 'loss', range(0, 9), range(0, 9));
    const child = await newRun({ forkFrom: parent.key, forkStep: 5 });
    const first = (await owner.api.post(query, { runs: [child.key], names: ['loss'] })).body;
    expect(first.series[0].steps).toEqual(range(0, 5));
    await log(child, 'loss', [6, 7], [60, 70]);
    const next = (await owner.api.post(query, { runs: [child.key], names: ['loss'], cursor: first.cursor })).body;
    expect(next.series[0]).toMatchObject({ append: true, steps: [6, 7], values: [60, 70] });
  });

  it('downsampled fork reads keep to maxPoints', async () => {
    const parent = await newRun();
    await log(parent, 'loss', range(0, 499), range(0, 499));
    const child = await newRun({ forkFrom: parent.key, forkStep: 299 });
    await log(
      child,
      'loss',
      range(300, 599),
      range(300, 599).map((x) => -x),
    );
    const s = await packed(child, { maxPoints: 50 });
    expect(s.steps.length).toBeLessThanOrEqual(50);
    expect(s.steps[s.steps.length - 1]).toBe(599);
    expect(Math.min(...(s as unknown as { min: number[] }).min)).toBe(-599);
  });

  it('a parent of another organization, or missing, answers 404; forkFrom needs forkStep', async () => {
    const stranger = await signup(t.url, 'Stranger');
    const otherOrg = (await createOrg(stranger)).slug;
    const otherProject = (await createProject(stranger, otherOrg, 'private', 'forks')).slug;
    const otherRuns = `/orgs/${otherOrg}/projects/${otherProject}/runs`;
    const theirs = await newRun({}, stranger, otherRuns);
    await log(theirs, 'loss', [0, 1], [1, 2], stranger, otherRuns);

    const byId = await owner.api.post(base, { forkFrom: theirs.id, forkStep: 1 });
    expect(byId.status).toBe(404);
    expect(byId.body.error.code).toBe('not_found');
    const missing = await owner.api.post(base, { forkFrom: '00000000-0000-4000-8000-000000000000', forkStep: 1 });
    expect(missing.status).toBe(404);
    expect({ ...byId.body.error, requestId: null }).toEqual({ ...missing.body.error, requestId: null });
    const noStep = await owner.api.post(base, { forkFrom: theirs.id });
    expect(noStep.status).toBe(400);
  });

  it('a fork of a run in another project of the organization inherits for readers of both projects only', async () => {
    const upstream = (await createProject(owner, org, 'private', uniqueSlug('upstream'))).slug;
    const upstreamRuns = `/orgs/${org}/projects/${upstream}/runs`;
    const parent = await newRun({ params: { lr: 0.5 } }, owner, upstreamRuns);
    await log(parent, 'loss', [0, 1, 2, 3], [10, 11, 12, 13], owner, upstreamRuns);

    const child = await newRun({ forkFrom: `${upstream}/${parent.key}`, forkStep: 1 });
    expect(child.fork).toEqual({ runId: parent.id, key: parent.key, step: 1, project: upstream });
    expect(child.params).toEqual({ lr: 0.5 });
    await log(child, 'loss', [2], [99]);
    expect((await simple(child)).steps).toEqual([0, 1, 2]);
    expect((await packed(child)).values).toEqual([10, 11, 99]);

    // The run list shows the fork relation, the other project's included.
    const listed = await owner.api.get(base);
    const row = listed.body.items.find((r: { id: string }) => r.id === child.id);
    expect(row.fork).toEqual({ runId: parent.id, key: parent.key, step: 1, project: upstream });
    const plain = listed.body.items.find((r: { fork: unknown }) => r.fork === null);
    expect(plain).toBeDefined();
    // The lineage graph keeps to the project: the parent in the other one is not a node.
    const graph = (await owner.api.get(`/orgs/${org}/projects/${project}/lineage?run=${child.key}&direction=upstream&depth=2`)).body;
    expect(graph.nodes.map((n: { id: string }) => n.id)).toEqual([`run:${child.id}`]);
    expect(graph.edges).toEqual([]);

    // A reader of the fork's project who cannot read the parent's sees the fork's own points only.
    const reader = await addOrgMember(owner, org, 'member', 'fork-reader');
    await setProjectRole(owner, org, project, reader.id, 'viewer');
    expect((await reader.api.get(`/orgs/${org}/projects/${upstream}/runs`)).status).toBe(404);
    const own = await reader.api.get(`${base}/${child.key}/series?names=loss`);
    expect(own.body[0].steps).toEqual([2]);
    expect(own.body[0].inheritedThrough).toBeUndefined();
    const queried = await reader.api.post(query, { runs: [child.key], names: ['loss'] });
    expect(queried.body.series[0].steps).toEqual([2]);
    // ... and may not fork from it either (404, as for a missing run); once it can read it, it sees and may.
    await setProjectRole(owner, org, project, reader.id, 'contributor');
    const refused = await reader.api.post(base, { forkFrom: `${upstream}/${parent.key}`, forkStep: 1 });
    expect(refused.status).toBe(404);
    await setProjectRole(owner, org, upstream, reader.id, 'viewer');
    expect((await reader.api.get(`${base}/${child.key}/series?names=loss`)).body[0].steps).toEqual([0, 1, 2]);
    expect((await reader.api.post(base, { forkFrom: `${upstream}/${parent.key}`, forkStep: 2 })).status).toBe(201);

    // Another organization's project by slug is as missing as one that does not exist.
    const stranger = await signup(t.url, 'Stranger2');
    const otherOrg = (await createOrg(stranger)).slug;
    const theirs = (await createProject(stranger, otherOrg, 'org', uniqueSlug('theirs'))).slug;
    const run = await newRun({}, stranger, `/orgs/${otherOrg}/projects/${theirs}/runs`);
    expect((await owner.api.post(base, { forkFrom: `${theirs}/${run.key}`, forkStep: 0 })).status).toBe(404);
    expect((await owner.api.post(base, { forkFrom: `nope/${run.key}`, forkStep: 0 })).status).toBe(404);
  });
});
