/**
 * Fan-out: one busy run followed by many subscribers. Prints delivered events
 * and points per second across all subscribers and the server's memory (RSS)
 * before and during the load.
 *
 *   npm run build && npx tsx tools/bench/src/fanout.ts
 *
 * Env: BENCH_SUBSCRIBERS (default 1000), BENCH_SECONDS (default 15),
 * BENCH_POINTS (points per batch, default 100), BENCH_BATCH_INTERVAL_MS (default 50).
 */
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { api, setupProject, startServer } from './server';

const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const pointsPerBatch = Number(process.env.BENCH_POINTS ?? 100);
const intervalMs = Number(process.env.BENCH_BATCH_INTERVAL_MS ?? 50);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3902));
  const sockets: Socket[] = [];
  try {
    const project = await setupProject(server.url, 'fanout');
    const call = api(project);
    const run = await call('POST', project.runs, {});
    let events = 0;
    let points = 0;
    for (let i = 0; i < subscribers; i++) {
      const socket = io(server.url, { path: '/socket.io', auth: { token: project.key }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const ack = await socket.timeout(10_000).emitWithAck('follow', { org: project.org, project: project.project, runs: [run.key] });
      if (!ack.ok) throw new Error(`follow refused: ${JSON.stringify(ack)}`);
      socket.on('points', (event: { series: Array<{ steps: number[] }> }) => {
        events++;
        for (const s of event.series) points += s.steps.length;
      });
    }
    const idle = rssMb(server.pid);
    let peak = idle;
    let seq = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    while (performance.now() < end) {
      const steps = Array.from({ length: pointsPerBatch }, (_, i) => seq * pointsPerBatch + i);
      await call('POST', `${project.runs}/${run.key}/batches`, {
        streamId: 'fanout',
        seq,
        metrics: [{ name: 'loss', steps, values: steps, times: steps }],
      });
      seq++;
      peak = Math.max(peak, rssMb(server.pid));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    await new Promise((r) => setTimeout(r, 500));
    const elapsed = (performance.now() - started) / 1000;
    console.log(`fan-out: ${subscribers} subscribers of one run, ${seq} batches of ${pointsPerBatch} points in ${elapsed.toFixed(1)}s`);
    console.log(
      `  delivered ${Math.round(events / elapsed).toLocaleString('en-US')} events/s, ${Math.round(points / elapsed).toLocaleString('en-US')} points/s across subscribers`,
    );
    console.log(
      `  expected per subscriber ${(seq * pointsPerBatch).toLocaleString('en-US')} points; received on average ${Math.round(points / subscribers).toLocaleString('en-US')}`,
    );
    console.log(`  server RSS: ${idle.toFixed(0)} MB with subscribers idle, peak ${peak.toFixed(0)} MB under load`);
  } finally {
    for (const s of sockets) s.disconnect();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
