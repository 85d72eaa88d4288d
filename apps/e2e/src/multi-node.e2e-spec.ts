import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointsEvent, RunChangedEvent } from '@trackbase/contracts';
import { freePort } from '@trackbase/api/src/database/embedded-postgres';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { createTestDatabase } from '@trackbase/api/test/test-app';
import { init } from '@trackbase/sdk';
import { seriesSteps, setupProject, tempDir } from './sdk-helpers';

// Three API processes on one PostgreSQL and one Redis, behind HAProxy (Debian's package), as a
// multi-node deployment runs: clients reach only the balancer.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const nodes: ServerProcess[] = [];
let balancer: ChildProcess;
let lbUrl: string;
let p: Awaited<ReturnType<typeof setupProject>>;
const sockets: Socket[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startBalancer(ports: number[]): Promise<string> {
  const port = await freePort();
  const config = join(tempDir('tb-haproxy-'), 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 2000',
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout tunnel 1h', // websockets
      '  option redispatch',
      '  retries 3',
      'frontend trackbase',
      `  bind 127.0.0.1:${port}`,
      '  default_backend api',
      'backend api',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      ...ports.map((p, i) => `  server node${i + 1} 127.0.0.1:${p} check inter 300ms fall 2 rise 2`),
      '',
    ].join('\n'),
  );
  balancer = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      (await fetch(`${url}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return url;
    if (i > 100) throw new Error('the balancer did not come up');
    await sleep(100);
  }
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // Heartbeats time out fast so the crash sweep has work; every node sweeps every 300 ms.
  const env = { REDIS_URL, RUN_HEARTBEAT_TIMEOUT_SECONDS: '5', RUN_CRASH_CHECK_INTERVAL_MS: '300', LOG_LEVEL: 'error' };
  for (let i = 0; i < 3; i++) nodes.push(await ServerProcess.start(env, { databaseUrl }));
  lbUrl = await startBalancer(nodes.map((n) => n.port));
  p = await setupProject(lbUrl);
}, 180_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  balancer?.kill();
  await Promise.all(nodes.map((n) => n.stop()));
});

/** A follower of a run that re-follows after a reconnect, as a client must. */
function follower(url: string, runKey: string, transports: string[]) {
  const steps = new Set<number>();
  const socket = io(url, { path: '/socket.io', auth: { token: p.key }, transports, reconnectionDelay: 100 });
  sockets.push(socket);
  socket.on('connect', () => void socket.emitWithAck('follow', { org: p.org, project: p.project, runs: [runKey] }));
  socket.on('points', (event: PointsEvent) => {
    for (const series of event.series) for (const step of series.steps) steps.add(step);
  });
  const ready = new Promise<void>((resolve) => socket.once('connect', () => setTimeout(resolve, 200)));
  return { socket, steps, ready };
}

describe('three API nodes behind HAProxy', () => {
  it('ingestion carries on through the others when a node is killed, exactly once, and points reach subscribers of every node', async () => {
    const run = await init({
      url: lbUrl,
      apiKey: p.key,
      project: p.ref,
      dir: tempDir('tb-multinode-'),
      name: 'through-the-balancer',
      flushIntervalMs: 20,
      systemMetricsIntervalMs: 0,
      exitHandlers: false,
      context: false,
      log: () => undefined,
    });
    // One subscriber on node 1 directly (never killed), one through the balancer on the websocket
    // transport (no sticky sessions needed; it re-follows if its node is the one killed).
    const direct = follower(nodes[0]!.url, run.key!, ['websocket']);
    const balanced = follower(lbUrl, run.key!, ['websocket']);
    await Promise.all([direct.ready, balanced.ready]);

    for (let step = 0; step < 1_500; step++) {
      await run.log({ loss: 1 / (step + 1) }, step);
      if (step % 100 === 0) await sleep(30);
      if (step === 700) await nodes[2]!.stop('SIGKILL'); // mid-ingest, with batches in flight
    }
    expect((await run.finish('finished', { timeoutMs: 60_000 })).delivered).toBe(true);

    const all = Array.from({ length: 1_500 }, (_, i) => i);
    expect(await seriesSteps(lbUrl, p.key, p.org, p.project, run.key!, 'loss')).toEqual(all);
    // Batches went through all three nodes (round robin); node 1's own subscriber saw every point.
    for (let i = 0; i < 50 && direct.steps.size < all.length; i++) await sleep(100);
    expect([...direct.steps].sort((a, b) => a - b)).toEqual(all);
    expect(balanced.steps.size).toBeGreaterThan(0);
  }, 180_000);

  it('the crash sweep runs once across nodes: a silent run is marked crashed once', async () => {
    const headers = { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' };
    const changes: RunChangedEvent[] = [];
    const socket = io(nodes[0]!.url, { path: '/socket.io', auth: { token: p.key }, transports: ['websocket'] });
    sockets.push(socket);
    socket.on('run.changed', (event: RunChangedEvent) => changes.push(event));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await socket.emitWithAck('follow', { org: p.org, project: p.project });
    const created = await fetch(`${lbUrl}/api/v1/orgs/${p.org}/projects/${p.project}/runs`, { method: 'POST', headers, body: '{}' });
    const run = (await created.json()) as { key: string };
    for (let i = 0; i < 150 && !changes.some((c) => c.key === run.key && c.state === 'crashed'); i++) await sleep(100);
    await sleep(1_500); // room for a second node to (wrongly) mark it again
    expect(changes.filter((c) => c.key === run.key && c.state === 'crashed')).toHaveLength(1);
  }, 60_000);
});
