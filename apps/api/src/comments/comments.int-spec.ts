import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let contributor: TestUser;
let other: TestUser;
let viewer: TestUser;
let outsiderMember: TestUser;
let org: string;
let project: string;
let run: { key: string; id: string };
let base: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private')).slug;
  base = `/orgs/${org}/projects/${project}`;
  contributor = await addOrgMember(owner, org, 'member', 'Cora');
  other = await addOrgMember(owner, org, 'member', 'Otto');
  viewer = await addOrgMember(owner, org, 'member', 'Vera');
  outsiderMember = await addOrgMember(owner, org, 'member', 'Nope');
  await setProjectRole(owner, org, project, contributor.id, 'contributor');
  await setProjectRole(owner, org, project, other.id, 'contributor');
  await setProjectRole(owner, org, project, viewer.id, 'viewer');
  run = (await owner.api.post(`${base}/runs`, {})).body;
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t.close();
});

const post = (user: TestUser, body: object, path = `${base}/runs/${run.key}/comments`) => user.api.post(path, body);

describe('comments', () => {
  it('viewers read, contributors write, others see nothing', async () => {
    expect((await post(contributor, { body: 'looks **good**' })).status).toBe(201);
    expect((await post(viewer, { body: 'me too' })).status).toBe(403);
    expect((await viewer.api.get(`${base}/runs/${run.key}/comments`)).status).toBe(200);
    expect((await outsiderMember.api.get(`${base}/runs/${run.key}/comments`)).status).toBe(404);
    const stranger = await signup(t.url);
    expect((await post(stranger, { body: 'hi' })).status).toBe(404);
  });

  it('threads replies under their parent and refuses replies to replies', async () => {
    const top = (await post(contributor, { body: 'question' })).body;
    const reply = await post(other, { body: 'answer', parentId: top.id });
    expect(reply.status).toBe(201);
    expect((await post(owner, { body: 'nested', parentId: reply.body.id })).body.error.code).toBe('invalid_parent');
    const projectLevel = (await post(owner, { body: 'project note' }, `${base}/comments`)).body;
    expect((await post(owner, { body: 'cross', parentId: projectLevel.id })).body.error.code).toBe('invalid_parent');
    const threads = (await owner.api.get(`${base}/runs/${run.key}/comments`)).body;
    const thread = threads.find((c: { id: string }) => c.id === top.id);
    expect(thread.replies.map((r: { body: string }) => r.body)).toEqual(['answer']);
    expect((await owner.api.get(`${base}/comments`)).body.map((c: { body: string }) => c.body)).toEqual(['project note']);
  });

  it('authors edit; others cannot edit or delete; maintainers delete any; replies keep a deleted parent in place', async () => {
    const mine = (await post(contributor, { body: 'draft' })).body;
    expect((await contributor.api.patch(`${base}/comments/${mine.id}`, { body: 'final' })).body).toMatchObject({ body: 'final', editedAt: expect.any(String) });
    expect((await other.api.patch(`${base}/comments/${mine.id}`, { body: 'hijack' })).body.error.code).toBe('not_author');
    expect((await other.api.delete(`${base}/comments/${mine.id}`)).status).toBe(403);
    await post(other, { body: 'reply', parentId: mine.id });
    expect((await owner.api.delete(`${base}/comments/${mine.id}`)).status).toBe(204);
    const thread = (await owner.api.get(`${base}/runs/${run.key}/comments`)).body.find((c: { id: string }) => c.id === mine.id);
    expect(thread).toMatchObject({ deleted: true, body: '' });
    expect(thread.replies).toHaveLength(1);
    const lonely = (await post(contributor, { body: 'bye' })).body;
    expect((await contributor.api.delete(`${base}/comments/${lonely.id}`)).status).toBe(204);
    expect((await owner.api.get(`${base}/runs/${run.key}/comments`)).body.find((c: { id: string }) => c.id === lonely.id)).toBeUndefined();
  });

  it('stores Markdown as written, hostile or not, and bounds its size', async () => {
    const body = '<script>alert(1)</script> [x](javascript:alert(1))';
    expect((await post(contributor, { body })).body.body).toBe(body);
    expect((await post(contributor, { body: 'x'.repeat(20_001) })).status).toBe(400);
    expect((await post(contributor, { body: 'x', author: 'someone' })).status).toBe(400);
  });
});

describe('mentions and notifications', () => {
  it('a mention notifies project members only; a reply notifies the parent author; read marks work', async () => {
    const before = (await viewer.api.get('/users/me/notifications')).body.unreadCount;
    const comment = (await post(contributor, { body: `@[Vera](user:${viewer.id}) and @${outsiderMember.email} please look` })).body;
    expect(comment.mentions).toEqual([viewer.id]);
    const inbox = (await viewer.api.get('/users/me/notifications')).body;
    expect(inbox.unreadCount).toBe(before + 1);
    expect(inbox.items[0]).toMatchObject({ kind: 'mention', actor: { id: contributor.id }, org, project, runKey: run.key, commentId: comment.id });
    expect((await outsiderMember.api.get('/users/me/notifications')).body.items).toEqual([]);

    await post(other, { body: 'reply to you', parentId: comment.id });
    const coraInbox = (await contributor.api.get('/users/me/notifications?unread=true')).body;
    expect(coraInbox.items.map((n: { kind: string }) => n.kind)).toContain('reply');

    const selfReply = await post(contributor, { body: `note to @[me](user:${contributor.id})`, parentId: comment.id });
    expect(selfReply.status).toBe(201);
    expect((await contributor.api.get('/users/me/notifications')).body.items.filter((n: { commentId: string }) => n.commentId === selfReply.body.id)).toEqual([]);

    const read = await viewer.api.post('/users/me/notifications/read', { ids: [inbox.items[0].id] });
    expect(read.body.unreadCount).toBe(before);
    await contributor.api.post('/users/me/notifications/read', { all: true });
    expect((await contributor.api.get('/users/me/notifications')).body.unreadCount).toBe(0);
    expect((await contributor.api.post('/users/me/notifications/read', {})).status).toBe(400);
  });

  it('pushes a notification live to the mentioned person\'s sockets', async () => {
    const socket = io(t.url, { path: '/socket.io', auth: { token: viewer.tokens.accessToken }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const received = new Promise<any>((resolve) => socket.once('notification', resolve));
    await post(owner, { body: `@${viewer.email} live?` });
    const event = await Promise.race([received, new Promise((r) => setTimeout(() => r(null), 3_000))]);
    expect(event).toMatchObject({ notification: { kind: 'mention', actor: { id: owner.id } } });
  });
});
