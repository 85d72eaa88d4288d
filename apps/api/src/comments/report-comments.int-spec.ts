import { commentSchema, notificationSchema, type ClientToServerEvents, type ServerToClientEvents } from '@trackbase/contracts';
import { TrackbaseApi } from '@trackbase/sdk/client';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, ApiClient, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let contributor: TestUser;
let reader: TestUser;
let namedViewer: TestUser;
let outsider: TestUser;
let org: string;
let project: string;
let reports: string;
let report: { id: string };
let comments: string;
const sockets: Socket[] = [];

const mention = (user: TestUser, name: string) => `@[${name}](user:${user.id})`;
const notificationsOf = async (user: TestUser) =>
  (await user.api.get('/users/me/notifications')).body.items as Array<{
    commentId: string;
    kind: string;
    report: unknown;
    project: unknown;
  }>;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private')).slug;
  contributor = await addOrgMember(owner, org, 'member', 'Cora');
  reader = await addOrgMember(owner, org, 'member', 'Rita');
  namedViewer = await addOrgMember(owner, org, 'member', 'Nadia');
  outsider = await addOrgMember(owner, org, 'member', 'Oscar');
  await setProjectRole(owner, org, project, contributor.id, 'contributor');
  await setProjectRole(owner, org, project, reader.id, 'viewer');
  const run = (await owner.api.post(`/orgs/${org}/projects/${project}/runs`, {})).body;
  reports = `/orgs/${org}/reports`;
  const created = await contributor.api.post(reports, {
    title: 'Weekly results',
    blocks: [
      { id: 'intro', type: 'text', markdown: 'Hello' },
      { id: 'loss', type: 'line', runSet: { project, runs: [run.id] }, metrics: ['loss'] },
    ],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  report = created.body;
  comments = `${reports}/${report.id}/comments`;
  expect((await contributor.api.put(`${reports}/${report.id}/members/${namedViewer.id}`, { role: 'viewer' })).status).toBe(200);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t.close();
});

describe('comments on reports', () => {
  it('whoever reads the report reads and writes its comments, on the report and on a block; anyone else gets 404', async () => {
    const onReport = await reader.api.post(comments, { body: 'Nice **summary**' });
    expect(onReport.status, JSON.stringify(onReport.body)).toBe(201);
    expect(commentSchema.parse(onReport.body)).toMatchObject({ reportId: report.id, blockId: null, runId: null });
    const onBlock = await namedViewer.api.post(comments, { body: 'Why does it jump at step 3?', blockId: 'loss' });
    expect(onBlock.status).toBe(201);
    expect(onBlock.body.blockId).toBe('loss');
    const reply = await contributor.api.post(comments, { body: 'A restart', parentId: onBlock.body.id });
    expect(reply.body).toMatchObject({ blockId: 'loss', parentId: onBlock.body.id });

    const all = (await namedViewer.api.get(comments)).body;
    expect(all.map((c: { body: string }) => c.body)).toEqual(expect.arrayContaining(['Nice **summary**', 'Why does it jump at step 3?']));
    const block = (await reader.api.get(`${comments}?block=loss`)).body;
    expect(block).toHaveLength(1);
    expect(block[0].replies.map((r: { body: string }) => r.body)).toEqual(['A restart']);

    // No read on the project, not named: as for a missing report. Another organization too.
    expect((await outsider.api.get(comments)).status).toBe(404);
    expect((await outsider.api.post(comments, { body: 'hi' })).status).toBe(404);
    const stranger = await signup(t.url);
    const theirs = (await createOrg(stranger)).slug;
    expect((await stranger.api.get(comments)).status).toBe(404);
    expect((await stranger.api.get(`/orgs/${theirs}/reports/${report.id}/comments`)).status).toBe(404);
    expect((await stranger.api.post(`/orgs/${theirs}/reports/${report.id}/comments`, { body: 'x' })).status).toBe(404);
  });

  it('refuses bad input with 4xx: an unknown block, a parent of another report, a reply to a reply, unknown fields', async () => {
    expect((await reader.api.post(comments, { body: 'x', blockId: 'nope' })).status).toBe(404);
    expect((await reader.api.post(comments, { body: 'x', blockId: '../../etc' })).status).toBe(400);
    expect((await reader.api.post(comments, { body: '   ' })).status).toBe(400);
    expect((await reader.api.post(comments, { body: 'x', runId: 'y' })).status).toBe(400);
    const other = (await contributor.api.post(reports, { title: 'Other', blocks: [{ id: 'a', type: 'text', markdown: 'a' }] })).body;
    const foreign = (await contributor.api.post(`${reports}/${other.id}/comments`, { body: 'elsewhere' })).body;
    const cross = await reader.api.post(comments, { body: 'x', parentId: foreign.id });
    expect(cross.status).toBe(400);
    expect(cross.body.error.code).toBe('invalid_parent');
    const top = (await reader.api.post(comments, { body: 'top' })).body;
    const reply = (await contributor.api.post(comments, { body: 'reply', parentId: top.id })).body;
    expect((await reader.api.post(comments, { body: 'nested', parentId: reply.id })).body.error.code).toBe('invalid_parent');
    expect((await reader.api.post(comments, { body: 'x', parentId: top.id, blockId: 'loss' })).body.error.code).toBe('invalid_parent');
    expect((await reader.api.get(`${comments}?block=a/b`)).status).toBe(400);
    expect((await reader.api.get(`${reports}/not-a-report/comments`)).status).toBe(404);
  });

  it('mentions notify only people who can read the report; a named viewer taken off stops seeing the notification', async () => {
    const body = `${mention(namedViewer, 'Nadia')} ${mention(reader, 'Rita')} and ${mention(outsider, 'Oscar')}: look at this`;
    const comment = (await contributor.api.post(comments, { body, blockId: 'loss' })).body;
    expect(comment.mentions.sort()).toEqual([namedViewer.id, reader.id].sort());
    const [forViewer] = (await notificationsOf(namedViewer)).filter((n) => n.commentId === comment.id);
    expect(notificationSchema.parse(forViewer)).toMatchObject({
      kind: 'mention',
      project: null,
      runKey: null,
      report: { id: report.id, title: 'Weekly results', blockId: 'loss' },
      actor: { name: 'Cora' },
    });
    expect((await notificationsOf(reader)).some((n) => n.commentId === comment.id)).toBe(true);
    expect((await notificationsOf(outsider)).some((n) => n.commentId === comment.id)).toBe(false);
    // A reply notifies the parent's author.
    const reply = (await namedViewer.api.post(comments, { body: 'On it', parentId: comment.id })).body;
    expect((await notificationsOf(contributor)).find((n) => n.commentId === reply.id)?.kind).toBe('reply');

    expect((await contributor.api.delete(`${reports}/${report.id}/members/${namedViewer.id}`)).status).toBe(204);
    expect((await notificationsOf(namedViewer)).some((n) => n.commentId === comment.id)).toBe(false);
    expect((await namedViewer.api.get(comments)).status).toBe(404);
    await contributor.api.put(`${reports}/${report.id}/members/${namedViewer.id}`, { role: 'viewer' });
  });

  it('authors edit their own; authors and editors delete', async () => {
    const mine = (await reader.api.post(comments, { body: 'draft thought' })).body;
    expect((await namedViewer.api.patch(`${comments}/${mine.id}`, { body: 'taken' })).status).toBe(403);
    const edited = await reader.api.patch(`${comments}/${mine.id}`, { body: 'second thought' });
    expect(edited.status).toBe(200);
    expect(edited.body.editedAt).not.toBeNull();
    expect((await namedViewer.api.delete(`${comments}/${mine.id}`)).status).toBe(403);
    expect((await contributor.api.delete(`${comments}/${mine.id}`)).status).toBe(204);
    expect((await reader.api.delete(`${comments}/${mine.id}`)).status).toBe(404);
  });

  it('a share-link token reads no comments', async () => {
    await contributor.api.post(`${reports}/${report.id}/publish`);
    const link = (await contributor.api.post(`${reports}/${report.id}/share-links`, {})).body;
    const anonymous = new ApiClient(t.url).as(link.token);
    expect((await anonymous.get(comments)).status).toBe(401);
    expect((await anonymous.post(comments, { body: 'hi' })).status).toBe(401);
    const shared = JSON.stringify((await new ApiClient(t.url).get(`/shared/reports/${link.token}`)).body);
    expect(shared).not.toContain('Nice **summary**');
  });

  it('pushes comments live to sockets following the report, and refuses to follow a report one cannot read', async () => {
    const connect = async (user: TestUser) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(t.url, {
        path: '/socket.io',
        auth: { token: user.tokens.accessToken },
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const watcher = await connect(namedViewer);
    expect(await watcher.timeout(5_000).emitWithAck('follow', { org, project: '', report: report.id })).toMatchObject({ ok: true });
    const nosy = await connect(outsider);
    expect(await nosy.timeout(5_000).emitWithAck('follow', { org, project: '', report: report.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const arrived = new Promise<{ reportId: string | null; body: string; blockId: string | null }>((resolve) =>
      watcher.on('comment.changed', (event) =>
        resolve({ reportId: event.reportId, body: event.comment.body, blockId: event.comment.blockId }),
      ),
    );
    await reader.api.post(comments, { body: 'live one', blockId: 'intro' });
    expect(await arrived).toEqual({ reportId: report.id, body: 'live one', blockId: 'intro' });
  });

  it('the TypeScript SDK lists, posts, edits and deletes report comments', async () => {
    const sdk = new TrackbaseApi({ baseUrl: t.url, token: () => reader.tokens.accessToken });
    const posted = await sdk.createReportComment(org, report.id, { body: 'from the SDK', blockId: 'loss' });
    expect(posted.blockId).toBe('loss');
    expect((await sdk.reportComments(org, report.id, { block: 'loss' })).some((c) => c.id === posted.id)).toBe(true);
    expect((await sdk.updateReportComment(org, report.id, posted.id, 'edited by the SDK')).body).toBe('edited by the SDK');
    await sdk.deleteReportComment(org, report.id, posted.id);
    expect((await sdk.reportComments(org, report.id)).some((c) => c.id === posted.id)).toBe(false);
  });
});
