import { TrackbaseApi } from '@trackbase/sdk/client';
import type { PointsEvent, ReportBlock } from '@trackbase/contracts';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, ApiClient, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let reader: TestUser;
let contributor: TestUser;
let outsider: TestUser;
let namedViewer: TestUser;
let namedEditor: TestUser;
let anonymous: ApiClient;
let org: string;
let vision: string;
let secret: string;
let reports: string;
let inSet: { id: string; key: string };
let inSet2: { id: string; key: string };
let outOfSet: { id: string; key: string };

async function newRun(project: string, params: Record<string, unknown> = {}) {
  const response = await owner.api.post(`/orgs/${org}/projects/${project}/runs`, { params });
  expect(response.status).toBe(201);
  return response.body as { id: string; key: string };
}
async function log(project: string, run: { key: string }, seq: number, steps: number[]) {
  const ack = await owner.api.post(`/orgs/${org}/projects/${project}/runs/${run.key}/batches`, {
    streamId: 's',
    seq,
    metrics: [{ name: 'loss', steps, values: steps.map((s) => 10 - s), times: steps.map((s) => 1_700_000_000_000 + s) }],
  });
  expect(ack.status).toBe(200);
}

const blocks = (): ReportBlock[] => [
  { id: 'intro', type: 'text', markdown: '# Results\nThe **loss** falls.' },
  { id: 'loss', type: 'line', runSet: { project: vision, runs: [inSet.id, inSet2.key] }, metrics: ['loss'] },
  { id: 'frozen', type: 'line', runSet: { project: vision, runs: [inSet.id] }, metrics: ['loss'], freeze: { atPublication: true } },
  { id: 'table', type: 'runs', runSet: { project: vision, filter: 'params.lr > 0' }, metrics: ['loss'] },
];

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  vision = (await createProject(owner, org, 'private')).slug;
  secret = (await createProject(owner, org, 'private')).slug;
  reports = `/orgs/${org}/reports`;
  reader = await addOrgMember(owner, org, 'member', 'Reader');
  contributor = await addOrgMember(owner, org, 'member', 'Contributor');
  outsider = await addOrgMember(owner, org, 'member', 'Outsider');
  namedViewer = await addOrgMember(owner, org, 'member', 'Named viewer');
  namedEditor = await addOrgMember(owner, org, 'member', 'Named editor');
  await setProjectRole(owner, org, vision, reader.id, 'viewer');
  await setProjectRole(owner, org, vision, contributor.id, 'contributor');
  anonymous = new ApiClient(t.url);
  inSet = await newRun(vision, { lr: 0.1 });
  inSet2 = await newRun(vision, { lr: 0.2 });
  outOfSet = await newRun(vision, { lr: 0 });
  for (const run of [inSet, inSet2, outOfSet]) await log(vision, run, 0, [0, 1, 2]);
});
afterAll(() => t.close());

function shareSocket(token: string): Promise<Socket> {
  const socket = io(t.url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

async function handshake(token: string): Promise<{ refused?: string }> {
  const socket = io(t.url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false });
  try {
    return await new Promise((resolve) => {
      socket.once('connect', () => resolve({}));
      socket.once('connect_error', (error) => resolve({ refused: (error as Error & { data?: { code: string } }).data?.code }));
    });
  } finally {
    socket.disconnect();
  }
}

/** The auth.error code and the disconnect reason of a socket the server ends. */
function endOf(socket: Socket): Promise<{ code: string | null; reason: string }> {
  let code: string | null = null;
  socket.on('auth.error', (event: { code: string }) => (code = event.code));
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve({ code, reason })));
}

async function makeReport(by: TestUser = contributor) {
  const created = await by.api.post(reports, { title: 'Loss study', blocks: blocks() });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; revision: number };
}

describe('reports', () => {
  it('keeps a draft of text and panel blocks, and publishes numbered versions with who and when', async () => {
    const report = await makeReport();
    const got = (await reader.api.get(`${reports}/${report.id}`)).body;
    expect(got).toMatchObject({ title: 'Loss study', projects: [vision], publishedVersion: null, access: { read: true, edit: false } });
    expect(got.blocks.map((b: { id: string }) => b.id)).toEqual(['intro', 'loss', 'frozen', 'table']);
    const v1 = await contributor.api.post(`${reports}/${report.id}/publish`);
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    expect(v1.body).toMatchObject({ version: 1, title: 'Loss study', publishedBy: { id: contributor.id, name: 'Contributor' } });
    const edited = await contributor.api.patch(`${reports}/${report.id}`, { title: 'Loss study, revised', baseRevision: report.revision });
    expect(edited.status).toBe(200);
    const stale = await contributor.api.patch(`${reports}/${report.id}`, { title: 'lost edit', baseRevision: report.revision });
    expect(stale.status).toBe(409);
    expect((await owner.api.post(`${reports}/${report.id}/publish`)).body.version).toBe(2);
    const history = (await reader.api.get(`${reports}/${report.id}/versions`)).body.items;
    expect(history.map((v: { version: number; title: string }) => [v.version, v.title])).toEqual([
      [2, 'Loss study, revised'],
      [1, 'Loss study'],
    ]);
    expect((await reader.api.get(`${reports}/${report.id}/versions/1`)).body.title).toBe('Loss study');
  });

  it('serves panel data for exactly the run set: a fixed list, or what the filter matches', async () => {
    const report = await makeReport();
    const line = await reader.api.post(`${reports}/${report.id}/data`, { block: 'loss' });
    expect(line.status, JSON.stringify(line.body)).toBe(200);
    expect(line.body.runs.map((r: { id: string }) => r.id)).toEqual([inSet.id, inSet2.id]);
    expect(line.body.series[0]).toMatchObject({ name: 'loss', steps: [0, 1, 2], values: [10, 9, 8] });
    const table = (await reader.api.post(`${reports}/${report.id}/data`, { block: 'table' })).body;
    expect(table.runs.map((r: { id: string }) => r.id).sort()).toEqual([inSet.id, inSet2.id].sort());
    expect(table.series.every((s: { last: number }) => s.last === 8)).toBe(true);
    const outside = await reader.api.post(`${reports}/${report.id}/data`, { block: 'loss', runs: [outOfSet.id] });
    expect(outside.status).toBe(404);
    expect((await reader.api.post(`${reports}/${report.id}/data`, { block: 'intro' })).status).toBe(404);
  });

  it('freezes a panel at publication: points logged later do not show in that version', async () => {
    const report = await makeReport();
    await contributor.api.post(`${reports}/${report.id}/publish`);
    await log(vision, inSet, 1, [3, 4]);
    const frozen = (await reader.api.post(`${reports}/${report.id}/data`, { block: 'frozen', version: 1 })).body;
    expect(frozen.series[0].steps).toEqual([0, 1, 2]);
    expect(frozen.series[0].lastStep).toBe(2);
    const live = (await reader.api.post(`${reports}/${report.id}/data`, { block: 'frozen' })).body;
    expect(live.series[0].steps).toEqual([0, 1, 2, 3, 4]);
  });

  it('needs read on every project for reading and contributor for editing; others get 404', async () => {
    const report = await makeReport(owner);
    const both = await owner.api.patch(`${reports}/${report.id}`, {
      blocks: [...blocks(), { id: 's', type: 'line', runSet: { project: secret }, metrics: ['loss'] }],
    });
    expect(both.status).toBe(200);
    expect(both.body.projects).toEqual([vision, secret]);
    expect((await reader.api.get(`${reports}/${report.id}`)).status).toBe(404);
    expect((await reader.api.post(`${reports}/${report.id}/data`, { block: 'loss' })).status).toBe(404);
    expect((await outsider.api.get(`${reports}/${report.id}`)).status).toBe(404);
    expect((await reader.api.get(reports)).body.items.map((r: { id: string }) => r.id)).not.toContain(report.id);

    const visionOnly = await makeReport(owner);
    expect((await reader.api.patch(`${reports}/${visionOnly.id}`, { title: 'mine now' })).status).toBe(403);
    expect((await reader.api.post(`${reports}/${visionOnly.id}/publish`)).status).toBe(403);
    expect((await reader.api.post(`${reports}/${visionOnly.id}/share-links`, {})).status).toBe(403);
    expect((await reader.api.post(reports, { title: 'x', blocks: blocks() })).status).toBe(403);
    // A contributor of one project cannot pull in a project they cannot read.
    const sneak = await contributor.api.patch(`${reports}/${visionOnly.id}`, {
      blocks: [{ id: 's', type: 'line', runSet: { project: secret }, metrics: ['loss'] }],
    });
    expect(sneak.status).toBe(404);
  });

  it('lets named viewers read and named editors edit without project roles', async () => {
    const report = await makeReport();
    expect((await namedViewer.api.get(`${reports}/${report.id}`)).status).toBe(404);
    expect((await contributor.api.put(`${reports}/${report.id}/members/${namedViewer.id}`, { role: 'viewer' })).status).toBe(200);
    expect((await contributor.api.put(`${reports}/${report.id}/members/${namedEditor.id}`, { role: 'editor' })).status).toBe(200);
    expect((await namedViewer.api.get(`${reports}/${report.id}`)).body.access).toEqual({ read: true, edit: false });
    expect((await namedViewer.api.post(`${reports}/${report.id}/data`, { block: 'loss' })).body.runs).toHaveLength(2);
    expect((await namedViewer.api.post(`${reports}/${report.id}/data`, { block: 'loss', runs: [outOfSet.id] })).status).toBe(404);
    expect((await namedViewer.api.patch(`${reports}/${report.id}`, { title: 'no' })).status).toBe(403);
    expect((await namedEditor.api.patch(`${reports}/${report.id}`, { title: 'Edited by name' })).status).toBe(200);
    // The named editor reads no project: they cannot widen the report to the project's other runs through a new block.
    const widen = await namedEditor.api.patch(`${reports}/${report.id}`, {
      blocks: [{ id: 'x', type: 'line', runSet: { project: secret }, metrics: ['loss'] }],
    });
    expect(widen.status).toBe(404);
    const stranger = await signup(t.url);
    const theirs = (await createOrg(stranger)).slug;
    expect((await contributor.api.put(`${reports}/${report.id}/members/${stranger.id}`, { role: 'viewer' })).status).toBe(404);
    expect((await stranger.api.get(`${reports}/${report.id}`)).status).toBe(404);
    expect((await stranger.api.get(`/orgs/${theirs}/reports/${report.id}`)).status).toBe(404);
  });
});

describe('share links', () => {
  it('opens the published report and its run sets without an account, and nothing outside them', async () => {
    const report = await makeReport();
    const link = await contributor.api.post(`${reports}/${report.id}/share-links`, {});
    expect(link.status).toBe(201);
    const shared = `/shared/reports/${link.body.token}`;
    const unpublished = await anonymous.get(shared);
    expect(unpublished.status).toBe(404);
    expect(unpublished.body.error.code).toBe('report_not_published');
    await contributor.api.post(`${reports}/${report.id}/publish`);
    const opened = await anonymous.get(shared);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ title: 'Loss study', version: 1 });
    expect(opened.body.publishedBy).toBeUndefined();
    const data = await anonymous.post(`${shared}/data`, { block: 'loss' });
    expect(data.status).toBe(200);
    expect(data.body.runs.map((r: { id: string }) => r.id)).toEqual([inSet.id, inSet2.id]);
    expect((await anonymous.post(`${shared}/data`, { block: 'loss', runs: [outOfSet.id] })).status).toBe(404);
    expect((await anonymous.post(`${shared}/data`, { block: 'loss', runs: [inSet.id, outOfSet.id] })).status).toBe(404);
    expect((await anonymous.post(`${shared}/data`, { block: 'nope' })).status).toBe(404);
    // The token reads nothing else: not the project's API.
    expect((await anonymous.as(link.body.token).get(`/orgs/${org}/projects/${vision}/runs/${outOfSet.key}`)).status).toBe(401);
    expect((await anonymous.get(`/shared/reports/tbs_${'x'.repeat(43)}`)).status).toBe(404);
  });

  it('an anonymised link shows no run names, keys, project slugs or filters; a plain one does', async () => {
    const report = await makeReport();
    await contributor.api.post(`${reports}/${report.id}/publish`);
    const plain = (await contributor.api.post(`${reports}/${report.id}/share-links`, {})).body;
    const blind = await contributor.api.post(`${reports}/${report.id}/share-links`, { anonymised: true });
    expect(blind.status).toBe(201);
    expect(blind.body.anonymised).toBe(true);
    expect(plain.anonymised).toBe(false);

    const plainReport = (await anonymous.get(`/shared/reports/${plain.token}`)).body;
    expect(plainReport.anonymised).toBe(false);
    expect(JSON.stringify(plainReport)).toContain(vision);
    const plainData = (await anonymous.post(`/shared/reports/${plain.token}/data`, { block: 'loss' })).body;
    expect(plainData.runs.map((r: { key: string }) => r.key)).toEqual([inSet.key, inSet2.key]);

    const opened = await anonymous.get(`/shared/reports/${blind.body.token}`);
    expect(opened.status).toBe(200);
    expect(opened.body.anonymised).toBe(true);
    const text = JSON.stringify(opened.body);
    for (const hidden of [vision, inSet.id, inSet2.key, 'params.lr']) expect(text).not.toContain(hidden);
    expect(opened.body.blocks.find((b: { id: string }) => b.id === 'table').runSet).toEqual({ project: 'project-1', limit: 20 });

    const data = await anonymous.post(`/shared/reports/${blind.body.token}/data`, { block: 'loss' });
    expect(data.status).toBe(200);
    expect(data.body.runs.map((r: { id: string }) => r.id)).toEqual([inSet.id, inSet2.id]);
    const shown = JSON.stringify(data.body.runs);
    for (const hidden of [vision, inSet.key, inSet2.key]) expect(shown).not.toContain(hidden);
    const names = data.body.runs.map((r: { name: string }) => r.name);
    expect(names.every((n: string) => /^run-[0-9a-f]{6}$/.test(n))).toBe(true);
    expect(data.body.runs[0].project).toBe('project-1');
    // The same run has the same placeholder in every panel of the link.
    const table = (await anonymous.post(`/shared/reports/${blind.body.token}/data`, { block: 'table' })).body;
    expect(table.runs.find((r: { id: string }) => r.id === inSet.id).name).toBe(names[0]);
    // Still exactly the report's run sets.
    expect((await anonymous.post(`/shared/reports/${blind.body.token}/data`, { block: 'loss', runs: [outOfSet.id] })).status).toBe(404);
  });

  it('stops working at once when revoked, and after its expiry', async () => {
    const report = await makeReport();
    await contributor.api.post(`${reports}/${report.id}/publish`);
    const link = (await contributor.api.post(`${reports}/${report.id}/share-links`, {})).body;
    expect((await anonymous.get(`/shared/reports/${link.token}`)).status).toBe(200);
    expect((await contributor.api.delete(`${reports}/${report.id}/share-links/${link.id}`)).status).toBe(204);
    const revoked = await anonymous.get(`/shared/reports/${link.token}`);
    expect(revoked.status).toBe(410);
    expect(revoked.body.error.code).toBe('share_link_gone');
    expect((await anonymous.post(`/shared/reports/${link.token}/data`, { block: 'loss' })).status).toBe(410);
    const listed = (await contributor.api.get(`${reports}/${report.id}/share-links`)).body.items;
    expect(listed.find((l: { id: string }) => l.id === link.id).revokedAt).not.toBeNull();

    const soon = new Date(Date.now() + 1_500).toISOString();
    const expiring = (await contributor.api.post(`${reports}/${report.id}/share-links`, { expiresAt: soon })).body;
    expect((await anonymous.get(`/shared/reports/${expiring.token}`)).status).toBe(200);
    while (Date.now() <= Date.parse(soon)) await new Promise((r) => setTimeout(r, 100));
    expect((await anonymous.get(`/shared/reports/${expiring.token}`)).status).toBe(410);
    const past = await contributor.api.post(`${reports}/${report.id}/share-links`, {
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
  });

  it('a share-link socket follows the runs of the live panels and gets only their metrics; any other run answers as missing', async () => {
    const report = await makeReport();
    await contributor.api.post(`${reports}/${report.id}/publish`);
    const link = (await contributor.api.post(`${reports}/${report.id}/share-links`, {})).body;
    const socket = await shareSocket(link.token);
    try {
      expect(await socket.timeout(5_000).emitWithAck('follow', { org: '', project: '', runs: [outOfSet.id] })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      // A key, a run of the set mixed with one outside, and a malformed id answer the same.
      for (const runs of [[inSet.key], [inSet.id, outOfSet.id], ['not-a-run']])
        expect(await socket.timeout(5_000).emitWithAck('follow', { org, project: vision, runs })).toMatchObject({
          ok: false,
          error: { code: 'not_found' },
        });
      expect(await socket.timeout(5_000).emitWithAck('follow', { org: '', project: '', runs: [inSet2.id] })).toMatchObject({
        ok: true,
        runs: [inSet2.id],
      });
      const received: Array<{ runId: string; names: string[]; steps: number[]; times: number[] }> = [];
      const arrived = new Promise<void>((resolve) =>
        socket.on('points', (event: PointsEvent) => {
          received.push({
            runId: event.runId,
            names: event.series.map((s) => s.name),
            steps: event.series.flatMap((s) => s.steps),
            times: event.series.flatMap((s) => s.times),
          });
          if (event.runId === inSet2.id) resolve();
        }),
      );
      // Points of a run outside the set, then a batch of the followed run with a metric no panel shows.
      await log(vision, outOfSet, 1, [3]);
      const ack = await owner.api.post(`/orgs/${org}/projects/${vision}/runs/${inSet2.key}/batches`, {
        streamId: 'share-socket',
        seq: 0,
        metrics: [
          { name: 'loss', steps: [3, 4], values: [7, 6], times: [1, 2] },
          { name: 'hidden', steps: [3, 4], values: [1, 1], times: [1, 2] },
        ],
        text: [{ name: 'stdout', steps: [3], times: [1], lines: ['secret log line'] }],
      });
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
      await arrived;
      expect(received).toEqual([{ runId: inSet2.id, names: ['loss'], steps: [3, 4], times: [] }]);
    } finally {
      socket.disconnect();
    }
    // Revoked, the link opens no socket at all.
    await contributor.api.delete(`${reports}/${report.id}/share-links/${link.id}`);
    expect(await handshake(link.token)).toMatchObject({ refused: 'share_link_gone' });
    expect(await handshake(`tbs_${'x'.repeat(43)}`)).toMatchObject({ refused: 'not_found' });
    const unpublished = await makeReport();
    const draftLink = (await contributor.api.post(`${reports}/${unpublished.id}/share-links`, {})).body;
    expect(await handshake(draftLink.token)).toMatchObject({ refused: 'report_not_published' });
  });

  it('revoking a link, or deleting its report, disconnects its open sockets at once', async () => {
    const report = await makeReport();
    await contributor.api.post(`${reports}/${report.id}/publish`);
    const kept = (await contributor.api.post(`${reports}/${report.id}/share-links`, {})).body;
    const revoked = (await contributor.api.post(`${reports}/${report.id}/share-links`, {})).body;
    const keptSocket = await shareSocket(kept.token);
    const socket = await shareSocket(revoked.token);
    try {
      expect(await socket.timeout(5_000).emitWithAck('follow', { org, project: vision, runs: [inSet.id] })).toMatchObject({ ok: true });
      const ended = endOf(socket);
      expect((await contributor.api.delete(`${reports}/${report.id}/share-links/${revoked.id}`)).status).toBe(204);
      expect(await ended).toEqual({ code: 'share_link_gone', reason: 'io server disconnect' });
      // The report's other link is untouched, until the report goes.
      expect(keptSocket.connected).toBe(true);
      expect(await keptSocket.timeout(5_000).emitWithAck('follow', { org, project: vision, runs: [inSet.id] })).toMatchObject({ ok: true });
      const keptEnded = endOf(keptSocket);
      expect((await contributor.api.delete(`${reports}/${report.id}`)).status).toBe(204);
      expect(await keptEnded).toEqual({ code: 'share_link_gone', reason: 'io server disconnect' });
    } finally {
      socket.disconnect();
      keptSocket.disconnect();
    }
  });

  it('a share-link socket ends when its link expires', async () => {
    const report = await makeReport();
    await contributor.api.post(`${reports}/${report.id}/publish`);
    const soon = new Date(Date.now() + 2_000).toISOString();
    const link = (await contributor.api.post(`${reports}/${report.id}/share-links`, { expiresAt: soon })).body;
    const socket = await shareSocket(link.token);
    try {
      expect(await endOf(socket)).toEqual({ code: 'share_link_gone', reason: 'io server disconnect' });
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(soon) - 50);
    } finally {
      socket.disconnect();
    }
  });

  it('a report drawing on no project is edited by its creator and by owners and admins, not by other members', async () => {
    const admin = await addOrgMember(owner, org, 'admin', 'Admin');
    const created = await reader.api.post(reports, { title: 'Notes', blocks: [{ id: 'n', type: 'text', markdown: 'plain' }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const path = `${reports}/${created.body.id}`;
    expect((await outsider.api.get(path)).body.access).toEqual({ read: true, edit: false });
    expect((await outsider.api.patch(path, { title: 'Taken' })).status).toBe(403);
    for (const [who, title] of [
      [reader, 'By its creator'],
      [admin, 'By an admin'],
      [owner, 'By the owner'],
    ] as const) {
      const saved = await who.api.patch(path, { title });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      expect(saved.body.title).toBe(title);
    }
  });

  it('refuses bad blocks with 400, never 500', async () => {
    const dup = await contributor.api.post(reports, { title: 't', blocks: [blocks()[0], blocks()[0]] });
    expect(dup.status).toBe(400);
    const unknown = await contributor.api.post(reports, { title: 't', blocks: [{ id: 'a', type: 'pie' }] });
    expect(unknown.status).toBe(400);
    const badFilter = await contributor.api.post(reports, {
      title: 't',
      blocks: [{ id: 'a', type: 'runs', runSet: { project: vision, filter: 'params.lr >>> (' } }],
    });
    // A filter that does not parse is refused when the report is saved, with the block's path.
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.code).toBe('report_invalid_run_set');
    expect(badFilter.body.error.details[0].path).toBe('blocks.0.runSet.filter');
    const report = await makeReport();
    const edited = blocks().map((b) => (b.id === 'table' ? { ...b, runSet: { project: vision, filter: 'params.lr > ' } } : b));
    const patched = await contributor.api.patch(`${reports}/${report.id}`, { blocks: edited });
    expect(patched.status).toBe(400);
    expect(patched.body.error).toMatchObject({ code: 'report_invalid_run_set', details: [{ path: 'blocks.3.runSet.filter' }] });
    // A fixed list ignores its filter; a good filter saves.
    const fine = blocks().map((b) => (b.id === 'table' ? { ...b, runSet: { project: vision, filter: 'params.lr > 0.15' } } : b));
    expect((await contributor.api.patch(`${reports}/${report.id}`, { blocks: fine })).status).toBe(200);
  });
});

describe('the TypeScript SDK', () => {
  it('lets a training script create, publish and share its report through the REST API', async () => {
    const sdk = new TrackbaseApi({ baseUrl: t.url, token: () => contributor.tokens.accessToken });
    const report = await sdk.createReport(org, { title: 'From a script', blocks: blocks() });
    expect(report.projects).toEqual([vision]);
    const version = await sdk.publishReport(org, report.id);
    expect(version).toMatchObject({ version: 1, title: 'From a script' });
    const link = await sdk.createShareLink(org, report.id);
    const shared = new TrackbaseApi({ baseUrl: t.url });
    expect((await shared.sharedReport(link.token)).title).toBe('From a script');
    expect((await shared.sharedReportData(link.token, { block: 'loss' })).runs).toHaveLength(2);
    await expect(shared.sharedReportData(link.token, { block: 'loss', runs: [outOfSet.id] })).rejects.toMatchObject({ status: 404 });
  });
});
