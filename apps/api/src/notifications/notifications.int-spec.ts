import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let ownerA: TestUser;
let ownerB: TestUser;
let orgA: string;
let orgB: string;
let baseA: string;
let baseB: string;

/** A member of orgA with `role` on its project. */
async function memberA(name: string, role: 'viewer' | 'contributor' = 'contributor'): Promise<TestUser> {
  const user = await addOrgMember(ownerA, orgA, 'member', name);
  await setProjectRole(ownerA, orgA, baseA.split('/').at(-1)!, user.id, role);
  return user;
}

const mention = (user: TestUser) => `@[${user.id.slice(0, 4)}](user:${user.id})`;
const comment = (author: TestUser, body: string, base = baseA, parentId?: string) =>
  author.api.post(`${base}/comments`, parentId ? { body, parentId } : { body });
const inbox = async (user: TestUser, query = '') => {
  const response = await user.api.get(`/users/me/notifications${query}`);
  expect(response.status).toBe(200);
  return response.body as {
    items: Array<{ id: string; kind: string; org: string; commentId: string; readAt: string | null; excerpt: string }>;
    unreadCount: number;
    nextCursor: string | null;
  };
};

beforeAll(async () => {
  t = await startTestApp();
  ownerA = await signup(t.url, 'Owner A');
  ownerB = await signup(t.url, 'Owner B');
  orgA = (await createOrg(ownerA)).slug;
  orgB = (await createOrg(ownerB)).slug;
  baseA = `/orgs/${orgA}/projects/${(await createProject(ownerA, orgA, 'private')).slug}`;
  baseB = `/orgs/${orgB}/projects/${(await createProject(ownerB, orgB, 'private')).slug}`;
});
afterAll(() => t.close());

describe('listing', () => {
  it("lists notifications from every organization of the signed-in user, newest first, and no one else's", async () => {
    const alice = await memberA('Alice');
    const bystander = await memberA('Bystander');
    const invitation = await ownerB.api.post(`/orgs/${orgB}/invitations`, { email: alice.email, role: 'member' });
    await alice.api.post(`/invitations/${invitation.body.token}/accept`);
    await setProjectRole(ownerB, orgB, baseB.split('/').at(-1)!, alice.id, 'viewer');

    const fromA = (await comment(ownerA, `${mention(alice)} in A`)).body;
    const fromB = (await comment(ownerB, `${mention(alice)} in B`, baseB)).body;
    const list = await inbox(alice);
    expect(list.items.map((n) => [n.org, n.commentId, n.kind])).toEqual([
      [orgB, fromB.id, 'mention'],
      [orgA, fromA.id, 'mention'],
    ]);
    expect(list.unreadCount).toBe(2);
    expect(list.items[0]).toMatchObject({ excerpt: `${mention(alice)} in B`, readAt: null, runKey: null, actor: { id: ownerB.id } });
    expect((await inbox(bystander)).items).toEqual([]);
  });

  it('pages with a cursor without skipping or repeating', async () => {
    const carol = await memberA('Carol');
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.unshift((await comment(ownerA, `${mention(carol)} number ${i}`)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await inbox(carol, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      expect(page.unreadCount).toBe(7);
      seen.push(...page.items.map((n) => n.commentId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });

  it('refuses forged cursors and out-of-range limits with 400', async () => {
    const dora = await memberA('Dora');
    const forged = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    for (const cursor of [
      '%%%',
      'bm9wZQ',
      forged({ at: 'yesterday', id }),
      forged({ at: '2026-02-30T00:00:00.000000Z', id }),
      forged({ at: '2026-01-01T00:00:00.000000Z', id: '-'.repeat(36) }),
    ]) {
      const response = await dora.api.get(`/users/me/notifications?cursor=${encodeURIComponent(cursor)}`);
      expect(response.status, cursor).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    for (const query of ['?limit=0', '?limit=201', '?limit=abc', '?unread=yes', '?other=1']) {
      expect((await dora.api.get(`/users/me/notifications${query}`)).status, query).toBe(400);
    }
  });

  it('requires a signed-in user', async () => {
    expect((await ownerA.api.as(undefined).get('/users/me/notifications')).status).toBe(401);
    expect((await ownerA.api.as(undefined).post('/users/me/notifications/read', { all: true })).status).toBe(401);
  });
});

describe('unread and read', () => {
  it('unread=true lists only unread ones; the count covers every unread one whatever the page', async () => {
    const erin = await memberA('Erin');
    for (let i = 0; i < 3; i++) await comment(ownerA, `${mention(erin)} ${i}`);
    const all = await inbox(erin);
    await erin.api.post('/users/me/notifications/read', { ids: [all.items[0]!.id] });
    const unread = await inbox(erin, '?unread=true&limit=1');
    expect(unread.unreadCount).toBe(2);
    expect(unread.items).toHaveLength(1);
    expect(unread.items[0]!.id).toBe(all.items[1]!.id);
    expect((await inbox(erin, '?unread=true')).items.map((n) => n.id)).toEqual([all.items[1]!.id, all.items[2]!.id]);
    expect((await inbox(erin)).items[0]!.readAt).toEqual(expect.any(String));
  });

  it('marks read by ids only your own notifications, and all of them with all: true', async () => {
    const fay = await memberA('Fay');
    const gil = await memberA('Gil');
    await comment(ownerA, `${mention(fay)} and ${mention(gil)}`);
    await comment(ownerA, `${mention(fay)} again`);
    const gilsId = (await inbox(gil)).items[0]!.id;
    const attempt = await fay.api.post('/users/me/notifications/read', { ids: [gilsId] });
    expect(attempt.status).toBe(200);
    expect(attempt.body).toEqual({ unreadCount: 2 });
    expect((await inbox(gil)).unreadCount).toBe(1);
    const again = await fay.api.post('/users/me/notifications/read', { ids: [(await inbox(fay)).items[0]!.id] });
    expect(again.body).toEqual({ unreadCount: 1 });
    expect((await fay.api.post('/users/me/notifications/read', { all: true })).body).toEqual({ unreadCount: 0 });
    expect((await inbox(gil)).unreadCount).toBe(1);
  });

  it('refuses bodies that are neither ids nor all: true', async () => {
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    for (const body of [
      {},
      { all: false },
      { ids: [] },
      { ids: ['nope'] },
      { ids: [id], all: true },
      { all: true, userId: id },
      { ids: Array(1001).fill(id) },
    ]) {
      const response = await ownerA.api.post('/users/me/notifications/read', body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
  });
});

describe('who is notified', () => {
  it("a reply notifies the parent's author once, as a mention when it also mentions them, never the replier", async () => {
    const hal = await memberA('Hal');
    const ivy = await memberA('Ivy');
    const top = (await comment(hal, 'a question')).body;
    const reply = (await comment(ivy, 'an answer', baseA, top.id)).body;
    expect((await inbox(hal)).items).toMatchObject([{ kind: 'reply', commentId: reply.id, actor: { id: ivy.id } }]);
    const both = (await comment(ivy, `${mention(hal)} see above`, baseA, top.id)).body;
    expect((await inbox(hal)).items.filter((n) => n.commentId === both.id).map((n) => n.kind)).toEqual(['mention']);
    await comment(hal, `thanks ${mention(hal)}`, baseA, top.id);
    expect((await inbox(hal)).items).toHaveLength(2);
  });

  it('editing a comment notifies people it newly mentions, once', async () => {
    const jo = await memberA('Jo');
    const kim = await memberA('Kim');
    const draft = (await comment(jo, 'draft')).body;
    await jo.api.patch(`${baseA}/comments/${draft.id}`, { body: `${mention(kim)} have a look` });
    await jo.api.patch(`${baseA}/comments/${draft.id}`, { body: `${mention(kim)} have a look, edited` });
    expect((await inbox(kim)).items.map((n) => [n.kind, n.commentId])).toEqual([['mention', draft.id]]);
  });

  it('someone who lost access to the project is not notified of replies and no longer sees its notifications', async () => {
    const lou = await memberA('Lou');
    const top = (await comment(lou, 'mine')).body;
    await comment(ownerA, `${mention(lou)} noted`);
    expect((await inbox(lou)).unreadCount).toBe(1);
    expect((await ownerA.api.delete(`${baseA}/members/${lou.id}`)).status).toBe(204);
    await comment(ownerA, 'a reply Lou must not see', baseA, top.id);
    await comment(ownerA, `${mention(lou)} mentioned after removal`);
    expect(await inbox(lou)).toEqual({ items: [], unreadCount: 0, nextCursor: null });
    const count = await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE user_id = $1`, [lou.id]);
    expect(count[0].n).toBe(1);
  });

  it('deleting a comment takes its notifications with it, whether it keeps its place or not', async () => {
    const max = await memberA('Max');
    const lonely = (await comment(ownerA, `${mention(max)} soon gone`)).body;
    const threaded = (await comment(ownerA, `${mention(max)} with a reply`)).body;
    await comment(max, 'a reply', baseA, threaded.id);
    expect((await inbox(max)).unreadCount).toBe(2);
    expect((await ownerA.api.delete(`${baseA}/comments/${lonely.id}`)).status).toBe(204);
    expect((await ownerA.api.delete(`${baseA}/comments/${threaded.id}`)).status).toBe(204);
    expect(await inbox(max)).toEqual({ items: [], unreadCount: 0, nextCursor: null });
  });
});
