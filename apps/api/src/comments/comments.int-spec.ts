import { commentSchema, notificationSchema, type ClientToServerEvents, type ServerToClientEvents } from '@trackbase/contracts';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';
import { NotificationEvents, type NotificationCreated } from '../notifications/notification-events';
import { CommentEvents, type CommentChanged } from './comment-events';

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
    expect((await contributor.api.patch(`${base}/comments/${mine.id}`, { body: 'final' })).body).toMatchObject({
      body: 'final',
      editedAt: expect.any(String),
    });
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
    expect(inbox.items[0]).toMatchObject({
      kind: 'mention',
      actor: { id: contributor.id },
      org,
      project,
      runKey: run.key,
      commentId: comment.id,
    });
    expect((await outsiderMember.api.get('/users/me/notifications')).body.items).toEqual([]);

    await post(other, { body: 'reply to you', parentId: comment.id });
    const coraInbox = (await contributor.api.get('/users/me/notifications?unread=true')).body;
    expect(coraInbox.items.map((n: { kind: string }) => n.kind)).toContain('reply');

    const selfReply = await post(contributor, { body: `note to @[me](user:${contributor.id})`, parentId: comment.id });
    expect(selfReply.status).toBe(201);
    expect(
      (await contributor.api.get('/users/me/notifications')).body.items.filter(
        (n: { commentId: string }) => n.commentId === selfReply.body.id,
      ),
    ).toEqual([]);

    const read = await viewer.api.post('/users/me/notifications/read', { ids: [inbox.items[0].id] });
    expect(read.body.unreadCount).toBe(before);
    await contributor.api.post('/users/me/notifications/read', { all: true });
    expect((await contributor.api.get('/users/me/notifications')).body.unreadCount).toBe(0);
    expect((await contributor.api.post('/users/me/notifications/read', {})).status).toBe(400);
  });

  it("pushes a notification live to the mentioned person's sockets", async () => {
    const socket = io(t.url, {
      path: '/socket.io',
      auth: { token: viewer.tokens.accessToken },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const received = new Promise<any>((resolve) => socket.once('notification', resolve));
    await post(owner, { body: `@${viewer.email} live?` });
    const event = await Promise.race([received, new Promise((r) => setTimeout(() => r(null), 3_000))]);
    expect(event).toMatchObject({ notification: { kind: 'mention', actor: { id: owner.id } } });
    // The payload is the wire type of libs/contracts, field for field (strict: nothing more, nothing less).
    expect(notificationSchema.strict().safeParse(event.notification).error).toBeUndefined();
  });

  it('a follower of the run receives comment.changed carrying the comment as REST answers it', async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(t.url, {
      path: '/socket.io',
      auth: { token: viewer.tokens.accessToken },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    expect(await socket.timeout(5_000).emitWithAck('follow', { org, project, runs: [run.key] })).toMatchObject({ ok: true });
    const received = new Promise<Parameters<ServerToClientEvents['comment.changed']>[0]>((resolve) =>
      socket.once('comment.changed', resolve),
    );
    const created = (await post(contributor, { body: 'live comment' })).body;
    const event = await Promise.race([received, new Promise<null>((r) => setTimeout(() => r(null), 3_000))]);
    expect(event).toMatchObject({ runId: run.id, change: 'created', comment: { id: created.id, body: 'live comment' } });
    expect(commentSchema.strict().safeParse(event!.comment).error).toBeUndefined();
    expect(event!.comment).toEqual(created);
  });
});

describe('permissions and boundaries', () => {
  let maintainer: TestUser;
  let secondProject: string;
  let secondRun: { key: string; id: string };
  beforeAll(async () => {
    maintainer = await addOrgMember(owner, org, 'member', 'Mae');
    await setProjectRole(owner, org, project, maintainer.id, 'maintainer');
    secondProject = `/orgs/${org}/projects/${(await createProject(owner, org, 'private')).slug}`;
    secondRun = (await owner.api.post(`${base}/runs`, {})).body;
  });

  it("a project maintainer deletes anyone's comment, and the audit log records it", async () => {
    const theirs = (await post(contributor, { body: 'moderate me' })).body;
    expect((await maintainer.api.delete(`${base}/comments/${theirs.id}`)).status).toBe(204);
    const own = (await post(maintainer, { body: 'mine' }, `${base}/comments`)).body;
    expect((await maintainer.api.patch(`${base}/comments/${own.id}`, { body: 'mine, edited' })).status).toBe(200);
    expect(
      (await maintainer.api.patch(`${base}/comments/${(await post(contributor, { body: 'x' })).body.id}`, { body: 'no' })).status,
    ).toBe(403);
    const audit = (await owner.api.get(`/orgs/${org}/audit-log`)).body.items;
    expect(audit.find((e: { targetId: string }) => e.targetId === theirs.id)).toMatchObject({
      action: 'comment.deleted',
      actorId: maintainer.id,
      details: { authorId: contributor.id },
    });
  });

  it('a viewer can neither edit nor delete, not even a comment written before losing the contributor role', async () => {
    const former = await addOrgMember(owner, org, 'member', 'Former');
    await setProjectRole(owner, org, project, former.id, 'contributor');
    const mine = (await post(former, { body: 'while I could' })).body;
    await setProjectRole(owner, org, project, former.id, 'viewer');
    expect((await former.api.patch(`${base}/comments/${mine.id}`, { body: 'edit' })).status).toBe(403);
    expect((await former.api.delete(`${base}/comments/${mine.id}`)).status).toBe(403);
    expect((await former.api.get(`${base}/comments`)).status).toBe(200);
  });

  it('another organization answers 404, even with a valid comment id', async () => {
    const stranger = await signup(t.url, 'Stranger');
    const strangerOrg = (await createOrg(stranger)).slug;
    const strangerProject = (await createProject(stranger, strangerOrg, 'private')).slug;
    const target = (await post(contributor, { body: 'private talk' })).body;
    for (const response of [
      await stranger.api.get(`${base}/comments`),
      await stranger.api.get(`${base}/runs/${run.key}/comments`),
      await stranger.api.post(`${base}/comments`, { body: 'hi' }),
      await stranger.api.patch(`${base}/comments/${target.id}`, { body: 'hi' }),
      await stranger.api.delete(`${base}/comments/${target.id}`),
      await stranger.api.patch(`/orgs/${strangerOrg}/projects/${strangerProject}/comments/${target.id}`, { body: 'hi' }),
      await stranger.api.delete(`/orgs/${strangerOrg}/projects/${strangerProject}/comments/${target.id}`),
    ]) {
      expect(response.status).toBe(404);
    }
    expect(
      (await post(stranger, { body: 'reply', parentId: target.id }, `/orgs/${strangerOrg}/projects/${strangerProject}/comments`)).body.error
        .code,
    ).toBe('invalid_parent');
    expect((await contributor.api.get(`${base}/runs/${run.key}/comments`)).body.find((c: { id: string }) => c.id === target.id).body).toBe(
      'private talk',
    );
  });

  it("a comment of another project answers 404 through this project's path, and cannot be a parent here", async () => {
    const elsewhere = (await post(owner, { body: 'elsewhere' }, `${secondProject}/comments`)).body;
    expect((await owner.api.patch(`${base}/comments/${elsewhere.id}`, { body: 'x' })).status).toBe(404);
    expect((await owner.api.delete(`${base}/comments/${elsewhere.id}`)).status).toBe(404);
    expect((await post(owner, { body: 'x', parentId: elsewhere.id }, `${base}/comments`)).status).toBe(400);
    const onOtherRun = (await post(owner, { body: 'other run' }, `${base}/runs/${secondRun.key}/comments`)).body;
    const refused = await post(owner, { body: 'x', parentId: onOtherRun.id });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_parent', details: [{ path: 'parentId' }] });
    expect((await owner.api.get(`${base}/runs/NOPE-1/comments`)).status).toBe(404);
  });

  it('project comments and run comments are separate threads; ids edit and delete through one route', async () => {
    const onProject = (await post(contributor, { body: 'about the project' }, `${base}/comments`)).body;
    expect(onProject.runId).toBeNull();
    expect((await owner.api.get(`${base}/runs/${run.key}/comments`)).body.map((c: { id: string }) => c.id)).not.toContain(onProject.id);
    expect((await owner.api.get(`${base}/runs/${run.id}/comments`)).status).toBe(200);
    expect((await contributor.api.patch(`${base}/comments/${onProject.id}`, { body: 'edited' })).body.body).toBe('edited');
    expect((await contributor.api.delete(`${base}/comments/${onProject.id}`)).status).toBe(204);
    expect((await owner.api.get(`${base}/comments`)).body.map((c: { id: string }) => c.id)).not.toContain(onProject.id);
  });
});

describe('deletion', () => {
  it('a deleted comment can be neither edited nor deleted again', async () => {
    const top = (await post(contributor, { body: 'going' })).body;
    await post(other, { body: 'keeps it', parentId: top.id });
    expect((await contributor.api.delete(`${base}/comments/${top.id}`)).status).toBe(204);
    expect((await contributor.api.patch(`${base}/comments/${top.id}`, { body: 'back' })).status).toBe(404);
    expect((await contributor.api.delete(`${base}/comments/${top.id}`)).status).toBe(404);
    expect((await other.api.post(`${base}/runs/${run.key}/comments`, { body: 'still replying', parentId: top.id })).status).toBe(201);
  });

  it('deleting the last reply under a deleted comment removes the emptied comment too', async () => {
    const top = (await post(contributor, { body: 'thread' })).body;
    const r1 = (await post(other, { body: 'one', parentId: top.id })).body;
    const r2 = (await post(owner, { body: 'two', parentId: top.id })).body;
    await contributor.api.delete(`${base}/comments/${top.id}`);
    await other.api.delete(`${base}/comments/${r1.id}`);
    const find = async () => (await owner.api.get(`${base}/runs/${run.key}/comments`)).body.find((c: { id: string }) => c.id === top.id);
    expect(await find()).toMatchObject({ deleted: true, replies: [{ id: r2.id }] });
    await owner.api.delete(`${base}/comments/${r2.id}`);
    expect(await find()).toBeUndefined();
  });
});

describe('concurrency', () => {
  it('a reply racing the deletion of its parent is either kept under an emptied parent or refused, never lost', async () => {
    const path = `${base}/comments`;
    const tops = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post(contributor, { body: `race ${i}` }, path).then((r) => r.body.id as string)),
    );
    const outcomes = await Promise.all(
      tops.map(async (id) => {
        const [deleted, reply] = await Promise.all([
          contributor.api.delete(`${path}/${id}`),
          post(other, { body: 'racing', parentId: id }, path),
        ]);
        return { id, deleted: deleted.status, reply: reply.status, replyId: reply.body?.id as string | undefined };
      }),
    );
    const threads = (await owner.api.get(path)).body as Array<{ id: string; deleted: boolean; replies: Array<{ id: string }> }>;
    for (const o of outcomes) {
      expect(o.deleted).toBe(204);
      const thread = threads.find((c) => c.id === o.id);
      if (o.reply === 201) expect(thread, o.id).toMatchObject({ deleted: true, replies: [{ id: o.replyId }] });
      else {
        expect(o.reply).toBe(400);
        expect(thread).toBeUndefined();
      }
    }
  });
});

describe('hostile bodies', () => {
  it('accepts exactly 20,000 characters; refuses blank, NUL, non-string and oversized bodies with 400, writing nothing', async () => {
    expect((await post(contributor, { body: 'é'.repeat(20_000) }, `${base}/comments`)).status).toBe(201);
    const before = (await owner.api.get(`${base}/comments`)).body.length;
    for (const body of [
      { body: '' },
      { body: '  \n\t ' },
      { body: 'a\u0000b' },
      { body: 42 },
      { body: ['x'] },
      {},
      { body: 'x'.repeat(20_001) },
      { body: 'x', parentId: 'not-a-uuid' },
      { body: 'x', runId: run.id },
    ]) {
      const response = await post(contributor, body, `${base}/comments`);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(response.body.error.code).toBe(JSON.stringify(body).includes('\\u0000') ? 'invalid_text' : 'validation_failed');
    }
    const target = (await post(contributor, { body: 'x' }, `${base}/comments`)).body;
    for (const body of [{ body: '' }, { body: 'a\u0000' }, { body: 'x', deleted: false }]) {
      expect((await contributor.api.patch(`${base}/comments/${target.id}`, body)).status).toBe(400);
    }
    expect((await owner.api.get(`${base}/comments`)).body.length).toBe(before + 1);
    expect((await owner.api.patch(`${base}/comments/not-a-uuid`, { body: 'x' })).status).toBe(400);
  });

  it('stores script tags, HTML and odd unicode exactly as written', async () => {
    const body =
      '<img src=x onerror=alert(1)>\n```js\n</script><script>fetch("//evil")</script>\n```\n\u202e\ud83d\ude00 `@[x](user:nope)`';
    const created = (await post(contributor, { body })).body;
    expect(created.body).toBe(body);
    const listed = (await viewer.api.get(`${base}/runs/${run.key}/comments`)).body.find((c: { id: string }) => c.id === created.id);
    expect(listed.body).toBe(body);
  });
});

describe('events for the realtime gateway', () => {
  it('raises comment changes and notifications after commit, with organization, project and run; refused requests raise nothing', async () => {
    const events = t.app.get(CommentEvents);
    const notificationEvents = t.app.get(NotificationEvents);
    const comments: CommentChanged[] = [];
    const notifications: NotificationCreated[] = [];
    const off = [events.on('comment', (e) => comments.push(e)), notificationEvents.on('notification', (e) => notifications.push(e))];
    try {
      const orgId = (await owner.api.get(`/orgs/${org}`)).body.id;
      const projectId = (await owner.api.get(base)).body.id;
      const created = (await post(contributor, { body: `@[Vera](user:${viewer.id}) look` })).body;
      await contributor.api.patch(`${base}/comments/${created.id}`, { body: 'edited' });
      await contributor.api.delete(`${base}/comments/${created.id}`);
      const onProject = (await post(contributor, { body: 'project level' }, `${base}/comments`)).body;
      await post(viewer, { body: 'refused' });
      await post(contributor, { body: '' });
      expect(comments.map((e) => [e.change, e.comment.id, e.runId])).toEqual([
        ['created', created.id, run.id],
        ['updated', created.id, run.id],
        ['deleted', created.id, run.id],
        ['created', onProject.id, null],
      ]);
      expect(comments.every((e) => e.organizationId === orgId && e.projectId === projectId)).toBe(true);
      expect(comments[2]!.comment).toMatchObject({ deleted: true, body: '' });
      expect(notifications).toEqual([
        { organizationId: orgId, userId: viewer.id, notification: expect.objectContaining({ kind: 'mention', commentId: created.id }) },
      ]);
    } finally {
      for (const stop of off) stop();
    }
  });
});
