/**
 * Latency from an SDK `log` call to the point reaching a websocket subscriber,
 * with the SDK's default flush (1 s) and the server's 100 ms coalescing.
 *
 *   npm run build && npx tsx tools/bench/src/live-latency.ts
 *
 * Env: BENCH_SECONDS (default 30), BENCH_INTERVAL_MS (between log calls, default 20).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '@trackbase/sdk';
import { io } from 'socket.io-client';
import { setupProject, startServer } from './server';

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const intervalMs = Number(process.env.BENCH_INTERVAL_MS ?? 20);

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3905));
  try {
    const project = await setupProject(server.url, 'latency');
    const run = await init({
      url: server.url,
      apiKey: project.key,
      project: `${project.org}/${project.project}`,
      dir: mkdtempSync(join(tmpdir(), 'tb-latency-')),
      systemMetricsIntervalMs: 0,
      context: false,
      exitHandlers: false,
      log: () => undefined,
    });
    const socket = io(server.url, { path: '/socket.io', auth: { token: project.key }, transports: ['websocket'] });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ack = await socket.emitWithAck('follow', { org: project.org, project: project.project, runs: [run.key] });
    if (!ack.ok) throw new Error(JSON.stringify(ack));
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    socket.on('points', (event: { series: Array<{ name: string; steps: number[] }> }) => {
      const now = performance.now();
      for (const s of event.series) for (const step of s.steps) if (sentAt.has(step)) latencies.push(now - sentAt.get(step)!);
    });
    const end = performance.now() + seconds * 1000;
    for (let step = 0; performance.now() < end; step++) {
      sentAt.set(step, performance.now());
      void run.log('loss', Math.random(), step);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    await run.finish();
    await new Promise((r) => setTimeout(r, 500));
    socket.disconnect();
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(0);
    console.log(
      `live latency, SDK log() to subscriber, default 1 s flush: ${latencies.length} of ${sentAt.size} points seen; p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
