import { createHash } from 'node:crypto';
import type { PointsEvent, RunChangedEvent } from '@trackbase/contracts';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url);
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'live')).slug;
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t.close();
});

function connect(url: string, token: string | undefined): Socket {
  const socket = io(url, {
    path: '/socket.io',
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
  });
  sockets.push(socket);
  return socket;
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

function refused(socket: Socket): Promise<{ code: string }> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected but should have been refused')));
    socket.once('connect_error', (error: Error & { data?: { code: string } }) => resolve(error.data ?? { code: 'none' }));
  });
}

function follow(socket: Socket, request: object): Promise<any> {
  return socket.timeout(5_000).emitWithAck('follow', request);
}

async function newRun(user = owner) {
  return (await user.api.post(`/orgs/${org}/projects/${project}/runs`, {})).body;
}

async function sendBatch(runKey: string, seq: number, steps: number[]) {
  const response = await owner.api.post(`/orgs/${org}/projects/${project}/runs/${runKey}/batches`, {
    streamId: 'live',
    seq,
    metrics: [{ name: 'loss', steps, values: steps.map((s) => s / 10), times: steps }],
  });
  expect(response.status).toBe(200);
}

/** Collects points of `loss` until `count` steps have arrived or the time is up. */
function collectSteps(socket: Socket, count: number, ms = 5_000): Promise<number[]> {
  const steps: number[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(steps), ms);
    socket.on('points', (event: PointsEvent) => {
      for (const s of event.series) if (s.name === 'loss') steps.push(...s.steps);
      if (steps.length >= count) {
        clearTimeout(timer);
        resolve(steps);
      }
    });
  });
}

describe('handshake', () => {
  it('refuses a connection without credentials', async () => {
    expect((await refused(connect(t.url, undefined))).code).toBe('unauthenticated');
  });

  it('refuses a bad token and an expired one', async () => {
    expect((await refused(connect(t.url, 'garbage'))).code).toBe('unauthenticated');
    const { default: jwt } = await import('jsonwebtoken');
    const claims = jwt.decode(owner.tokens.accessToken) as { sub: string; sid: string };
    const expired = jwt.sign(
      { sub: claims.sub, sid: claims.sid, typ: 'access', exp: Math.floor(Date.now() / 1000) - 5 },
      t.config.JWT_SECRET,
      { algorithm: 'HS256' },
    );
    expect((await refused(connect(t.url, expired))).code).toBe('token_expired');
  });

  it('accepts an API key', async () => {
    const key = (await owner.api.post('/users/me/api-keys', { name: 'live' })).body.key;
    await connected(connect(t.url, key));
  });
});

describe('following', () => {
  it('cannot follow a run of a project it cannot read, nor of another organization', async () => {
    const run = await newRun();
    const member = await addOrgMember(owner, org, 'member');
    const memberSocket = connect(t.url, member.tokens.accessToken);
    await connected(memberSocket);
    expect(await follow(memberSocket, { org, project, runs: [run.key] })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const stranger = await signup(t.url);
    const strangerSocket = connect(t.url, stranger.tokens.accessToken);
    await connected(strangerSocket);
    expect(await follow(strangerSocket, { org, project, runs: [run.id] })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await follow(strangerSocket, { org, project })).toMatchObject({ ok: false });
  });

  it('delivers points in order and complete to a fast subscriber', async () => {
    const run = await newRun();
    const socket = connect(t.url, owner.tokens.accessToken);
    await connected(socket);
    expect(await follow(socket, { org, project, runs: [run.key] })).toMatchObject({ ok: true, runs: [run.id] });
    const arriving = collectSteps(socket, 500);
    for (let seq = 0; seq < 10; seq++)
      await sendBatch(
        run.key,
        seq,
        Array.from({ length: 50 }, (_, i) => seq * 50 + i),
      );
    expect(await arriving).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('announces run lifecycle changes to project followers', async () => {
    const socket = connect(t.url, owner.tokens.accessToken);
    await connected(socket);
    expect(await follow(socket, { org, project })).toMatchObject({ ok: true });
    const changes: RunChangedEvent[] = [];
    socket.on('run.changed', (e: RunChangedEvent) => changes.push(e));
    const run = await newRun();
    await owner.api.patch(`/orgs/${org}/projects/${project}/runs/${run.key}`, { state: 'finished' });
    await new Promise((r) => setTimeout(r, 300));
    expect(changes.filter((c) => c.runId === run.id).map((c) => [c.change, c.state])).toEqual([
      ['created', 'running'],
      ['updated', 'finished'],
    ]);
  });

  it('a member removed mid-stream stops receiving', async () => {
    const run = await newRun();
    const member = await addOrgMember(owner, org, 'member');
    await setProjectRole(owner, org, project, member.id, 'viewer');
    const socket = connect(t.url, member.tokens.accessToken);
    await connected(socket);
    expect(await follow(socket, { org, project, runs: [run.key] })).toMatchObject({ ok: true });
    const before = collectSteps(socket, 10);
    await sendBatch(
      run.key,
      0,
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(await before).toHaveLength(10);

    expect((await owner.api.delete(`/orgs/${org}/members/${member.id}`)).status).toBe(204);
    await new Promise((r) => setTimeout(r, 200));
    const after = collectSteps(socket, 1, 1_000);
    await sendBatch(run.key, 1, [100, 101]);
    expect(await after).toEqual([]);
  });
});

describe('live connections follow access at once', () => {
  /** Resolves with the server's auth.error code once the server disconnects the socket, or 'still connected'. */
  function endedByServer(socket: Socket, ms = 1_000): Promise<string> {
    return new Promise((resolve) => {
      let code = 'none';
      const timer = setTimeout(() => resolve('still connected'), ms);
      socket.on('auth.error', (event: { code: string }) => (code = event.code));
      socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve(reason === 'io server disconnect' ? code : `disconnect: ${reason}`);
      });
    });
  }

  it('revoking the API key of a connection disconnects it', async () => {
    const created = await owner.api.post('/users/me/api-keys', { name: 'live' });
    const socket = connect(t.url, created.body.key);
    await connected(socket);
    expect(await follow(socket, { org, project })).toMatchObject({ ok: true });
    const ended = endedByServer(socket);
    expect((await owner.api.delete(`/users/me/api-keys/${created.body.id}`)).status).toBe(204);
    expect(await ended).toBe('unauthenticated');
  });

  it('logging out disconnects the sockets opened with that session, not those of other sessions', async () => {
    const person = await addOrgMember(owner, org, 'admin');
    const other = await person.api.post('/auth/login', { email: person.email, password: person.password });
    expect(other.status).toBe(200);
    const socket = connect(t.url, person.tokens.accessToken);
    const otherSocket = connect(t.url, other.body.accessToken);
    await Promise.all([connected(socket), connected(otherSocket)]);
    const ended = endedByServer(socket);
    const otherEnded = endedByServer(otherSocket);
    expect((await person.api.post('/auth/logout', { refreshToken: person.tokens.refreshToken })).status).toBe(204);
    expect(await ended).toBe('unauthenticated');
    expect(await otherEnded).toBe('still connected');
  });

  it('reusing a refresh token ends the session and its sockets', async () => {
    const person = await signup(t.url);
    const socket = connect(t.url, person.tokens.accessToken);
    await connected(socket);
    const ended = endedByServer(socket, 2_000);
    expect((await person.api.post('/auth/refresh', { refreshToken: person.tokens.refreshToken })).status).toBe(200);
    expect((await person.api.post('/auth/refresh', { refreshToken: person.tokens.refreshToken })).status).toBe(401);
    expect(await ended).toBe('unauthenticated');
  });

  it('removal from the organization, and leaving it, disconnect the sockets that followed there', async () => {
    const removed = await addOrgMember(owner, org, 'member');
    const leaver = await addOrgMember(owner, org, 'member');
    for (const m of [removed, leaver]) await setProjectRole(owner, org, project, m.id, 'viewer');
    const removedSocket = connect(t.url, removed.tokens.accessToken);
    const leaverSocket = connect(t.url, leaver.tokens.accessToken);
    await Promise.all([connected(removedSocket), connected(leaverSocket)]);
    for (const s of [removedSocket, leaverSocket]) expect(await follow(s, { org, project })).toMatchObject({ ok: true });
    const removedEnded = endedByServer(removedSocket);
    const leaverEnded = endedByServer(leaverSocket);
    expect((await owner.api.delete(`/orgs/${org}/members/${removed.id}`)).status).toBe(204);
    expect((await leaver.api.delete(`/orgs/${org}/members/${leaver.id}`)).status).toBe(204);
    expect(await removedEnded).toBe('access_revoked');
    expect(await leaverEnded).toBe('access_revoked');
  });

  it('a key limited to one project cannot follow another, nor a run of another', async () => {
    const other = (await createProject(owner, org, 'org', 'other-live')).slug;
    const created = await owner.api.post('/users/me/api-keys', { name: 'one project', organization: org, projects: [project] });
    expect(created.status).toBe(201);
    const socket = connect(t.url, created.body.key);
    await connected(socket);
    expect(await follow(socket, { org, project })).toMatchObject({ ok: true });
    expect(await follow(socket, { org, project: other })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('file and artifact events', () => {
  const declaration = (path: string, content: string) => ({
    path,
    size: Buffer.byteLength(content),
    sha256: createHash('sha256').update(content).digest('hex'),
  });

  it('tells followers of a run that its files changed, and followers of the project that a version was added', async () => {
    const run = await newRun();
    const socket = connect(t.url, owner.tokens.accessToken);
    await connected(socket);
    expect((await follow(socket, { org, project, runs: [run.key] })).ok).toBe(true);
    const projectSocket = connect(t.url, owner.tokens.accessToken);
    await connected(projectSocket);
    expect((await follow(projectSocket, { org, project })).ok).toBe(true);

    const filesChanged = new Promise((resolve) => socket.once('files.changed', resolve));
    await owner.api.post(`/orgs/${org}/projects/${project}/runs/${run.key}/files`, { files: [declaration('notes.txt', 'hi')] });
    expect(await filesChanged).toEqual({ projectId: expect.any(String), runId: run.id });

    // A reference needs no upload: committed at once.
    const versionAdded = new Promise((resolve) => projectSocket.once('artifact.version_added', resolve));
    await owner.api.post(`/orgs/${org}/projects/${project}/artifacts/corpus/versions`, {
      kind: 'dataset',
      run: run.key,
      reference: { uri: 's3://lake/corpus', digest: 'd1' },
    });
    expect(await versionAdded).toEqual({
      projectId: expect.any(String),
      artifact: 'corpus',
      kind: 'dataset',
      version: 'v1',
      producerRunId: run.id,
    });
  });
});
