import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let viewer: TestUser;
let contributor: TestUser;
let views: string;

const state = (filter: string) => ({
  filter,
  sort: '-metrics.loss.max',
  columns: [{ field: 'params.lr', width: 120, pinned: true }, { field: 'metrics.loss.max' }],
  grouping: ['params.optimizer'],
  panels: { sections: [{ name: 'loss', panels: [{ type: 'line', metrics: ['loss'] }] }] },
});

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url);
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'org')).slug;
  views = `/orgs/${org}/projects/${project}/views`;
  viewer = await addOrgMember(owner, org, 'member', 'viewer');
  contributor = await addOrgMember(owner, org, 'member', 'contributor');
  await setProjectRole(owner, org, project, viewer.id, 'viewer');
  await setProjectRole(owner, org, project, contributor.id, 'contributor');
});
afterAll(() => t.close());

describe('saved views', () => {
  it('keeps filter, sort, columns, grouping and opaque panels as saved', async () => {
    const created = await contributor.api.post(views, { name: 'Best runs', visibility: 'project', state: state('params.lr < 0.01') });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'Best runs', visibility: 'project', ownerId: contributor.id, projectDefault: false });
    expect(created.body.state).toEqual(state('params.lr < 0.01'));
    expect((await viewer.api.get(`${views}/${created.body.id}`)).body.state).toEqual(state('params.lr < 0.01'));
  });

  it('lets a viewer keep personal views that nobody else sees, but not share one', async () => {
    const personal = await viewer.api.post(views, { name: 'Mine', state: state('state = "failed"') });
    expect(personal.status).toBe(201);
    expect(personal.body.visibility).toBe('personal');
    const shared = await viewer.api.post(views, { name: 'For all', visibility: 'project', state: state('') });
    expect(shared.status).toBe(403);
    expect(shared.body.error.code).toBe('forbidden');
    expect((await contributor.api.get(`${views}/${personal.body.id}`)).status).toBe(404);
    expect((await contributor.api.patch(`${views}/${personal.body.id}`, { name: 'taken over' })).status).toBe(404);
    expect((await contributor.api.get(views)).body.items.map((v: { name: string }) => v.name)).not.toContain('Mine');
    expect((await viewer.api.patch(`${views}/${personal.body.id}`, { visibility: 'project' })).status).toBe(403);
  });

  it('opens the personal default, else the project default', async () => {
    const shared = (await contributor.api.post(views, { name: 'Team default', visibility: 'project', state: state('') })).body;
    const mine = (await viewer.api.post(views, { name: 'My default', state: state('name LIKE "a%"') })).body;
    expect((await viewer.api.put(`${views}/${shared.id}/default`, { scope: 'project' })).status).toBe(403);
    const set = await contributor.api.put(`${views}/${shared.id}/default`, { scope: 'project' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.projectDefault).toBe(true);
    expect((await viewer.api.get(views)).body.defaultViewId).toBe(shared.id);
    expect((await viewer.api.put(`${views}/${mine.id}/default`, { scope: 'personal' })).body.myDefault).toBe(true);
    expect((await viewer.api.get(views)).body.defaultViewId).toBe(mine.id);
    expect((await owner.api.get(views)).body.defaultViewId).toBe(shared.id);
    expect((await viewer.api.delete(`${views}/${mine.id}/default?scope=personal`)).status).toBe(200);
    expect((await viewer.api.get(views)).body.defaultViewId).toBe(shared.id);
    const notShared = await viewer.api.put(`${views}/${mine.id}/default`, { scope: 'project' });
    expect(notShared.status).toBe(403);
    const personalOfContributor = (await contributor.api.post(views, { name: 'Private', state: state('') })).body;
    const refused = await contributor.api.put(`${views}/${personalOfContributor.id}/default`, { scope: 'project' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('view_not_shared');
  });

  it('refuses a second shared view of the same name, an unknown field and an oversized state', async () => {
    await contributor.api.post(views, { name: 'Dup', visibility: 'project', state: state('') });
    const dup = await owner.api.post(views, { name: 'dup', visibility: 'project', state: state('') });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('view_name_taken');
    const unknown = await owner.api.post(views, { name: 'X', state: { ...state(''), extra: 1 } });
    expect(unknown.status).toBe(400);
    const big = await owner.api.post(views, { name: 'Big', state: { ...state(''), panels: 'x'.repeat(300_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('view_too_large');
  });

  it('deletes shared views with the contributor role only', async () => {
    const view = (await contributor.api.post(views, { name: 'Short-lived', visibility: 'project', state: state('') })).body;
    expect((await viewer.api.delete(`${views}/${view.id}`)).status).toBe(403);
    expect((await contributor.api.delete(`${views}/${view.id}`)).status).toBe(204);
    expect((await contributor.api.get(`${views}/${view.id}`)).status).toBe(404);
  });

  it("answers 404 for another organization's view and for ids that are not views", async () => {
    const view = (await owner.api.post(views, { name: 'Ours', visibility: 'project', state: state('') })).body;
    const stranger = await signup(t.url);
    const strangerOrg = (await createOrg(stranger)).slug;
    const strangerProject = (await createProject(stranger, strangerOrg)).slug;
    expect((await stranger.api.get(`${views}/${view.id}`)).status).toBe(404);
    expect((await stranger.api.get(`/orgs/${strangerOrg}/projects/${strangerProject}/views/${view.id}`)).status).toBe(404);
    expect((await stranger.api.patch(`/orgs/${strangerOrg}/projects/${strangerProject}/views/${view.id}`, { name: 'x' })).status).toBe(404);
    expect((await owner.api.get(`${views}/not-a-uuid`)).status).toBe(404);
  });
});
