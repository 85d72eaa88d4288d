import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let contributor: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let org: string;
let base: string;
let run: { key: string; id: string };

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  base = `/orgs/${org}/projects/${(await createProject(owner, org, 'private')).slug}`;
  contributor = await addOrgMember(owner, org, 'member', 'Cora');
  viewer = await addOrgMember(owner, org, 'member', 'Vera');
  outsider = await addOrgMember(owner, org, 'member', 'Nope');
  const project = base.split('/').at(-1)!;
  await setProjectRole(owner, org, project, contributor.id, 'contributor');
  await setProjectRole(owner, org, project, viewer.id, 'viewer');
  run = (await owner.api.post(`${base}/runs`, {})).body;
  const artifact = await contributor.api.post(`${base}/artifacts/imagenet/versions`, {
    kind: 'dataset',
    reference: { uri: 's3://lake/imagenet', digest: 'etag-1', size: 10 },
  });
  expect(artifact.status).toBe(201);
});
afterAll(() => t.close());

const targets = () => [`${base}/readme`, `${base}/runs/${run.key}/readme`, `${base}/artifacts/imagenet/readme`];

describe('READMEs', () => {
  it('start empty at version 0, for a project, a run and an artifact', async () => {
    for (const path of targets()) {
      expect((await viewer.api.get(path)).body).toEqual({ version: 0, body: '', author: null, createdAt: null });
      expect((await viewer.api.get(`${path}/versions`)).body).toEqual({ items: [] });
    }
  });

  it('contributors write them, every save a version with its author; readers read them', async () => {
    for (const path of targets()) {
      const first = await contributor.api.put(path, { body: '# Intro\n\nSee VIS-1.', baseVersion: 0 });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ version: 1, body: '# Intro\n\nSee VIS-1.', author: { id: contributor.id, name: 'Cora' } });
      const second = await owner.api.put(path, { body: '# Intro\n\nSee VIS-2.\n\nMore.', baseVersion: 1 });
      expect(second.body).toMatchObject({ version: 2, author: { id: owner.id } });
      expect((await viewer.api.get(path)).body).toMatchObject({ version: 2, body: '# Intro\n\nSee VIS-2.\n\nMore.' });
      const history = (await viewer.api.get(`${path}/versions`)).body.items;
      expect(history.map((h: { version: number; author: { id: string } }) => [h.version, h.author.id])).toEqual([
        [2, owner.id],
        [1, contributor.id],
      ]);
      expect((await viewer.api.get(`${path}/versions/1`)).body.body).toBe('# Intro\n\nSee VIS-1.');
    }
  });

  it('diffs any two versions line by line, version 0 being empty', async () => {
    const path = `${base}/readme`;
    const diff = (await viewer.api.get(`${path}/diff?from=1&to=2`)).body;
    expect(diff).toMatchObject({ from: 1, to: 2, added: 3, removed: 1 });
    expect(diff.lines).toEqual([
      { op: 'same', text: '# Intro' },
      { op: 'same', text: '' },
      { op: 'remove', text: 'See VIS-1.' },
      { op: 'add', text: 'See VIS-2.' },
      { op: 'add', text: '' },
      { op: 'add', text: 'More.' },
    ]);
    expect((await viewer.api.get(`${path}/diff?from=0&to=1`)).body).toMatchObject({ added: 3, removed: 0 });
    expect((await viewer.api.get(`${path}/diff?from=1&to=9`)).status).toBe(404);
    expect((await viewer.api.get(`${path}/diff?from=x&to=1`)).status).toBe(400);
    expect((await viewer.api.get(`${path}/versions/9`)).status).toBe(404);
    expect((await viewer.api.get(`${path}/versions/abc`)).status).toBe(400);
  });

  it('refuses an edit begun from an older version, and a retried save creates nothing', async () => {
    const path = `${base}/runs/${run.key}/readme`;
    const stale = await contributor.api.put(path, { body: 'lost update', baseVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'readme_conflict', details: [{ path: 'baseVersion' }] });
    const saved = (await contributor.api.put(path, { body: 'v3 text', baseVersion: 2 })).body;
    const retried = await contributor.api.put(path, { body: 'v3 text', baseVersion: 2 });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(saved);
    expect((await viewer.api.get(`${path}/versions`)).body.items).toHaveLength(3);
    // Without a base version, the last save wins.
    expect((await owner.api.put(path, { body: 'v4 text' })).body.version).toBe(4);
  });

  it('serialises concurrent saves into consecutive versions', async () => {
    const path = `${base}/artifacts/imagenet/readme`;
    const saves = await Promise.all([1, 2, 3, 4, 5].map((i) => contributor.api.put(path, { body: `parallel ${i}` })));
    expect(saves.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    const versions = (await viewer.api.get(`${path}/versions`)).body.items.map((h: { version: number }) => h.version);
    expect(versions).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('viewers cannot write; people without access and other organizations get 404', async () => {
    for (const path of targets()) {
      expect((await viewer.api.put(path, { body: 'no' })).status).toBe(403);
      expect((await outsider.api.get(path)).status).toBe(404);
      expect((await outsider.api.put(path, { body: 'no' })).status).toBe(404);
    }
    const stranger = await signup(t.url, 'Stranger');
    await createOrg(stranger);
    expect((await stranger.api.get(`${base}/readme`)).status).toBe(404);
    expect((await stranger.api.get(`${base}/readme/versions/1`)).status).toBe(404);
  });

  it('answers 404 for a run or artifact that does not exist, and validates the body', async () => {
    expect((await owner.api.get(`${base}/runs/NOPE-99/readme`)).status).toBe(404);
    expect((await owner.api.put(`${base}/artifacts/missing/readme`, { body: 'x' })).status).toBe(404);
    expect((await owner.api.put(`${base}/readme`, { body: 'x', author: 'me' })).status).toBe(400);
    expect((await owner.api.put(`${base}/readme`, { body: 'a'.repeat(200_001) })).status).toBe(400);
    expect((await owner.api.put(`${base}/readme`, { body: 'nul \u0000' })).body.error.code).toBe('invalid_text');
  });

  it("deleting a run deletes its README; the project's stays", async () => {
    const doomed = (await owner.api.post(`${base}/runs`, {})).body;
    await owner.api.put(`${base}/runs/${doomed.key}/readme`, { body: 'bye' });
    expect((await owner.api.delete(`${base}/runs/${doomed.key}`)).status).toBe(204);
    expect((await owner.api.get(`${base}/runs/${doomed.key}/readme`)).status).toBe(404);
    expect((await owner.api.get(`${base}/readme`)).body.version).toBe(2);
  });
});
