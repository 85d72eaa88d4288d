/**
 * Series read: one 1,000,000-point series downsampled to 2,000 points, timed
 * from this process over loopback (an upper bound for the server's own time).
 *
 *   npm run build && npx tsx tools/bench/src/series-read.ts
 *
 * Env: BENCH_POINTS (default 1,000,000), BENCH_MAX_POINTS (default 2000),
 * BENCH_REPEAT (default 50), BENCH_BATCH_POINTS (points per ingested batch, default 10,000).
 */
import { api, setupProject, startServer } from './server';

const total = Number(process.env.BENCH_POINTS ?? 1_000_000);
const maxPoints = Number(process.env.BENCH_MAX_POINTS ?? 2_000);
const repeat = Number(process.env.BENCH_REPEAT ?? 50);
const perBatch = Number(process.env.BENCH_BATCH_POINTS ?? 10_000);

async function timed(url: string, key: string, repeatCount: number) {
  const times: number[] = [];
  let last: any;
  for (let i = 0; i < repeatCount; i++) {
    const t0 = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    last = await response.json();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]!, last };
}

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3901));
  try {
    const project = await setupProject(server.url, 'readbench');
    const call = api(project);
    const run = await call('POST', project.runs, {});
    for (let start = 0, seq = 0; start < total; start += perBatch, seq++) {
      const steps = Array.from({ length: Math.min(perBatch, total - start) }, (_, i) => start + i);
      await call('POST', `${project.runs}/${run.key}/batches`, {
        streamId: 'bench',
        seq,
        metrics: [{ name: 'loss', steps, values: steps.map((s) => Math.exp(-s / 300_000) + (s % 99_991 === 0 ? 5 : 0)), times: steps }],
      });
    }
    const base = `${project.url}/api/v1${project.runs}/${run.key}/series?names=loss`;
    await timed(`${base}&maxPoints=${maxPoints}`, project.key, 5);
    const full = await timed(`${base}&maxPoints=${maxPoints}`, project.key, repeat);
    const zoom = await timed(`${base}&maxPoints=${maxPoints}&from=400000&to=410000`, project.key, repeat);
    console.log(`series read: ${total.toLocaleString('en-US')} points (${perBatch} per batch) downsampled to ${maxPoints}`);
    console.log(
      `  whole series: p50 ${full.p50.toFixed(1)} ms, p95 ${full.p95.toFixed(1)} ms, ${full.last[0].steps.length} points returned, spike max ${Math.max(...full.last[0].max)}`,
    );
    console.log(
      `  zoom 10,000 steps: p50 ${zoom.p50.toFixed(1)} ms, p95 ${zoom.p95.toFixed(1)} ms, ${zoom.last[0].steps.length} points returned`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
