import { afterAll, beforeAll, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { LINEAGE_MAX_NODES } from './lineage.service';

let t: TestApp;
let owner: TestUser;
let org: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
});
afterAll(() => t.close());

async function run(project: string, name: string, body: Record<string, unknown> = {}) {
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const created = await owner.api.post(runs, { name });
  expect(created.status).toBe(201);
  if (Object.keys(body).length)
    expect((await owner.api.post(`${runs}/${created.body.key}/batches`, { streamId: 's', seq: 0, ...body })).status).toBe(200);
  return created.body as { id: string; key: string };
}

const label = (n: { run?: { name: string }; asset?: { name: string }; artifact?: { name: string } }) =>
  n.run?.name ?? n.asset?.name ?? n.artifact?.name;

it("a multi-hop walk never shows another project's runs or data, not even as edges, to its owner or a viewer", async () => {
  const home = (await createProject(owner, org)).slug;
  const other = (await createProject(owner, org)).slug;
  const viewer = await addOrgMember(owner, org, 'member');
  await setProjectRole(owner, org, home, viewer.id, 'viewer');

  const train = await run(home, 'train', {
    inputs: [{ kind: 'dataset', name: 'flowers', version: 'v1' }],
    outputs: [{ kind: 'model', name: 'clf', version: '1' }],
  });
  await run(home, 'eval', { inputs: [{ kind: 'model', name: 'clf', version: '1' }] });
  // Links across projects cannot be written through the API; rows made by hand (an import, a bug) must still not leak.
  const stranger = await run(other, 'secret-run', { outputs: [{ kind: 'model', name: 'secret-model', version: '1' }] });
  const db = t.dataSource;
  const [model] = await db.query(`SELECT id, organization_id FROM data_assets WHERE name = 'clf'`);
  const [secret] = await db.query(`SELECT id FROM data_assets WHERE name = 'secret-model'`);
  await db.query(`INSERT INTO run_assets (organization_id, run_id, asset_id, direction) VALUES ($1, $2, $3, 'input')`, [
    model.organization_id,
    stranger.id,
    model.id,
  ]);
  await db.query(`INSERT INTO run_assets (organization_id, run_id, asset_id, direction) VALUES ($1, $2, $3, 'input')`, [
    model.organization_id,
    train.id,
    secret.id,
  ]);

  for (const reader of [owner, viewer]) {
    const graph = await reader.api.get(`/orgs/${org}/projects/${home}/lineage?run=${train.key}&direction=both&depth=4`);
    expect(graph.status).toBe(200);
    expect(graph.body.nodes.map(label).sort()).toEqual(['clf', 'eval', 'flowers', 'train']);
    const ids = new Set(graph.body.nodes.map((n: { id: string }) => n.id));
    expect(graph.body.edges).toHaveLength(3);
    for (const e of graph.body.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
    expect(JSON.stringify(graph.body)).not.toContain(stranger.id);
    expect(graph.body.truncated).toBeUndefined();
  }
  // The other project is not the viewer's to read at all.
  expect((await viewer.api.get(`/orgs/${org}/projects/${other}/lineage?run=${stranger.key}`)).status).toBe(404);
  // Another organization's member reads nothing of it.
  const outsider = await signup(t.url, 'Outsider');
  expect((await outsider.api.get(`/orgs/${org}/projects/${home}/lineage?run=${train.key}`)).status).toBe(404);
});

it('a walk stops at the node limit, nearest first, says so, and keeps every edge between nodes it returns', async () => {
  const project = (await createProject(owner, org)).slug;
  await run(project, 'prepare', { outputs: [{ kind: 'dataset', name: 'popular', version: 'v1' }] });
  const db = t.dataSource;
  const [dataset] = await db.query(`SELECT d.id, d.organization_id, d.project_id FROM data_assets d WHERE d.name = 'popular'`);
  // Many consumers, seeded in SQL: each reads the dataset and writes its own model.
  const consumers = LINEAGE_MAX_NODES + 50;
  await db.query(
    `WITH made AS (
       INSERT INTO runs (organization_id, project_id, number, name, state)
       SELECT $1, $2, 1000 + n, 'consumer-' || n, 'finished' FROM generate_series(1, $3) n RETURNING id)
     INSERT INTO run_assets (organization_id, run_id, asset_id, direction) SELECT $1, id, $4, 'input' FROM made`,
    [dataset.organization_id, dataset.project_id, consumers, dataset.id],
  );
  const graph = await owner.api.get(`/orgs/${org}/projects/${project}/lineage?kind=dataset&name=popular&direction=both&depth=3`);
  expect(graph.status).toBe(200);
  expect(graph.body.truncated).toBe(true);
  expect(graph.body.nodes.length).toBeLessThanOrEqual(LINEAGE_MAX_NODES);
  expect(graph.body.nodes.length).toBeGreaterThan(LINEAGE_MAX_NODES - 5);
  // The producer is one hop away and kept; the consumers come by run number, lowest first.
  expect(graph.body.nodes.map(label)).toContain('prepare');
  expect(graph.body.nodes.map(label)).toContain('consumer-1');
  const ids = new Set(graph.body.nodes.map((n: { id: string }) => n.id));
  for (const e of graph.body.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);

  const bad = await owner.api.get(`/orgs/${org}/projects/${project}/lineage?kind=dataset&name=popular&depth=50`);
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBeTruthy();
});
