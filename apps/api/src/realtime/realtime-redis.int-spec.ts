import type { PointsEvent } from '@trackbase/contracts';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient, createOrg, createProject, signup } from '../../test/api-client';
import { createTestDatabase, startTestApp, type TestApp } from '../../test/test-app';

// Two API processes' worth of app on one database, joined by Redis at REDIS_URL
// (.ci/run starts a local redis-server when none answers).
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let a: TestApp;
let b: TestApp;
let socket: Socket | undefined;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  a = await startTestApp({ REDIS_URL: redisUrl }, databaseUrl);
  b = await startTestApp({ REDIS_URL: redisUrl }, databaseUrl);
});
afterAll(async () => {
  socket?.disconnect();
  await a.close();
  await b.close();
});

it('a subscriber on one API process sees points ingested by another', async () => {
  const owner = await signup(a.url);
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const run = (await owner.api.post(`/orgs/${org}/projects/${project}/runs`, {})).body;

  socket = io(b.url, { path: '/socket.io', auth: { token: owner.tokens.accessToken }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket!.once('connect', () => resolve());
    socket!.once('connect_error', reject);
  });
  expect(await socket.timeout(5_000).emitWithAck('follow', { org, project, runs: [run.key] })).toMatchObject({ ok: true });

  const received: number[] = [];
  const arrived = new Promise<void>((resolve) => {
    socket!.on('points', (event: PointsEvent) => {
      received.push(...event.series[0]!.steps);
      if (received.length >= 3) resolve();
    });
  });
  const onA = new ApiClient(a.url, owner.tokens.accessToken);
  const ack = await onA.post(`/orgs/${org}/projects/${project}/runs/${run.key}/batches`, {
    streamId: 'node-a',
    seq: 0,
    metrics: [{ name: 'loss', steps: [1, 2, 3], values: [3, 2, 1], times: [1, 2, 3] }],
  });
  expect(ack.status).toBe(200);
  await Promise.race([arrived, new Promise((r) => setTimeout(r, 5_000))]);
  expect(received).toEqual([1, 2, 3]);
});

it('a share-link socket on one API process gets points logged through another, and ends there when the link is revoked on the other', async () => {
  const owner = await signup(a.url);
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const run = (await owner.api.post(`/orgs/${org}/projects/${project}/runs`, {})).body;
  const reports = `/orgs/${org}/reports`;
  const report = (
    await owner.api.post(reports, {
      title: 'Live',
      blocks: [{ id: 'loss', type: 'line', runSet: { project, runs: [run.id] }, metrics: ['loss'] }],
    })
  ).body;
  expect((await owner.api.post(`${reports}/${report.id}/publish`)).status).toBe(201);
  const link = (await owner.api.post(`${reports}/${report.id}/share-links`, {})).body;

  const shared = io(b.url, { path: '/socket.io', auth: { token: link.token }, transports: ['websocket'], reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      shared.once('connect', () => resolve());
      shared.once('connect_error', reject);
    });
    expect(await shared.timeout(5_000).emitWithAck('follow', { org: '', project: '', runs: [run.id] })).toMatchObject({ ok: true });
    const arrived = new Promise<number[]>((resolve) => shared.once('points', (event: PointsEvent) => resolve(event.series[0]!.steps)));
    const onA = new ApiClient(a.url, owner.tokens.accessToken);
    const ack = await onA.post(`/orgs/${org}/projects/${project}/runs/${run.key}/batches`, {
      streamId: 'node-a',
      seq: 0,
      metrics: [{ name: 'loss', steps: [1, 2], values: [2, 1], times: [1, 2] }],
    });
    expect(ack.status).toBe(200);
    expect(await arrived).toEqual([1, 2]);

    let code: string | null = null;
    shared.on('auth.error', (event: { code: string }) => (code = event.code));
    const ended = new Promise<string>((resolve) => shared.once('disconnect', resolve));
    expect((await onA.delete(`${reports}/${report.id}/share-links/${link.id}`)).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    expect(code).toBe('share_link_gone');
  } finally {
    shared.disconnect();
  }
});
