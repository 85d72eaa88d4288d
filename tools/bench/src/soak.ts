/**
 * A soak through HAProxy: SDK writers, live subscribers and runs-table readers against several API
 * nodes on one PostgreSQL and one Redis, for BENCH_MINUTES. Every BENCH_SAMPLE_SECONDS it prints the
 * memory (PSS) of each API node and of PostgreSQL with its backends, batch latency at the balancer,
 * runs-table latency, points received by subscribers and every error; at the end, the trend of
 * memory, the whole run's percentiles, and whether every logged point was stored exactly once.
 *
 *   npm run build && BENCH_MINUTES=30 npx tsx tools/bench/src/soak.ts
 *
 * Env: BENCH_MINUTES (default 30), BENCH_SAMPLE_SECONDS (default 60), BENCH_NODES (default 3),
 * BENCH_WRITERS (SDK runs, default 20), BENCH_METRICS (per step, default 10), BENCH_STEP_MS (each
 * writer logs a step this often, default 100), BENCH_SUBSCRIBERS (default 100), BENCH_READERS
 * (default 5, each reading the runs table, filter + sort by a metric, then pausing 200 ms),
 * BENCH_SEED_RUNS (runs made before the soak so the table has rows, default 1,000), BENCH_ADMIN_URL,
 * REDIS_URL, BENCH_PORT.
 */
import { io, type Socket } from 'socket.io-client';
import { init, type Run } from '@trackbase/sdk';
import { startCluster } from './cluster';
import { postJson } from './http-post';
import { memoryMb } from './process-memory';
import { api, sdkRunOptions, setupProject } from './server';

const minutes = Number(process.env.BENCH_MINUTES ?? 30);
const sampleSeconds = Number(process.env.BENCH_SAMPLE_SECONDS ?? 60);
const nodeCount = Number(process.env.BENCH_NODES ?? 3);
const writerCount = Number(process.env.BENCH_WRITERS ?? 20);
const metricCount = Number(process.env.BENCH_METRICS ?? 10);
const stepMs = Number(process.env.BENCH_STEP_MS ?? 100);
const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const readerCount = Number(process.env.BENCH_READERS ?? 5);
const seedRuns = Number(process.env.BENCH_SEED_RUNS ?? 1000);
const basePort = Number(process.env.BENCH_PORT ?? 4420);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (values: number[], q: number) => {
  if (!values.length) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0);
};
const mb = (v: number | null) => (v === null ? '?' : v.toFixed(0));

async function main() {
  const cluster = await startCluster(nodeCount, basePort, { LOG_LEVEL: 'warn' });
  const errors = new Map<string, number>();
  const error = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
  try {
    const project = await setupProject(cluster.url, 'soak');
    const call = api(project);
    // Rows for the table: finished-looking runs with the writers' metrics.
    const names = Array.from({ length: metricCount }, (_, m) => `train/metric_${m}`);
    const now = Date.now();
    for (let i = 0; i < seedRuns; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, seedRuns - i) }, async (_, j) => {
          const run = (await call('POST', project.runs, { name: `seed-${i + j}` })) as { key: string };
          const series = names.map((name, m) => ({
            name,
            steps: [0, 1, 2],
            values: [m, (i + j) / seedRuns, m / 2],
            times: [now, now, now],
          }));
          const response = await postJson(
            `${cluster.url}/api/v1${project.runs}/${run.key}/batches`,
            project.key,
            JSON.stringify({ streamId: 's', seq: 0, metrics: series }),
          );
          if (response.status !== 200) throw new Error(`seed batch: ${response.status}`);
        }),
      );
    }
    console.log(
      `soak: ${nodeCount} API nodes behind HAProxy, ${writerCount} SDK writers (${metricCount} metrics every ${stepMs} ms), ` +
        `${subscriberCount} live subscribers, ${readerCount} runs-table readers, ${seedRuns} seeded runs, ${minutes} min`,
    );

    const writers: Array<{ run: Run; steps: number }> = [];
    for (let w = 0; w < writerCount; w++) {
      const run = await init({ ...sdkRunOptions(project, 'trackbase-soak-'), url: cluster.url, name: `writer-${w}` });
      writers.push({ run, steps: 0 });
    }
    const received = new Array<number>(subscriberCount).fill(0);
    const sockets: Socket[] = [];
    for (let s = 0; s < subscriberCount; s++) {
      const runKey = writers[s % writerCount]!.run.key!;
      const socket = io(cluster.url, {
        path: '/socket.io',
        auth: { token: project.key },
        transports: ['websocket'],
        reconnectionDelay: 200,
      });
      socket.on('connect', () => void socket.emitWithAck('follow', { org: project.org, project: project.project, runs: [runKey] }));
      socket.on('disconnect', (reason) => error(`subscriber disconnected (${reason})`));
      socket.on('connect_error', (e) => error(`subscriber connect error (${e.message})`));
      socket.on('points', (event: { series: Array<{ steps: number[] }> }) => {
        for (const series of event.series) received[s]! += series.steps.length;
      });
      sockets.push(socket);
    }
    await sleep(1_000);

    const started = performance.now();
    const end = started + minutes * 60_000;
    const tableTimes: number[] = [];
    let tableAll: number[] = [];
    const batchAll: number[] = [];
    const filter = encodeURIComponent('metrics.train/metric_0 > -1');
    const writing = writers.map(async (w, i) => {
      await sleep((i / writerCount) * stepMs);
      let next = performance.now();
      while (performance.now() < end) {
        const values: Record<string, number> = {};
        for (let m = 0; m < metricCount; m++) values[names[m]!] = Math.sin(w.steps / 100 + m);
        await w.run.log(values, w.steps++);
        next += stepMs;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
      }
    });
    const reading = Array.from({ length: readerCount }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const response = await fetch(`${cluster.url}/api/v1${project.runs}?filter=${filter}&sort=-metrics.train/metric_0&limit=50`, {
            headers: { authorization: `Bearer ${project.key}` },
          });
          await response.arrayBuffer();
          if (!response.ok) error(`runs table ${response.status}`);
          else tableTimes.push(performance.now() - t0);
        } catch (e) {
          error(`runs table ${String((e as Error).cause ?? e).slice(0, 80)}`);
        }
        await sleep(200);
      }
    });

    const memory = () => ({
      api: cluster.nodes.map((n) => memoryMb(n.pid)),
      db: cluster.postmasterPid ? memoryMb(cluster.postmasterPid, 'descendants') : null,
    });
    const samples: Array<ReturnType<typeof memory>> = [memory()];
    console.log(`  start: API ${samples[0]!.api.map(mb).join('/')} MB, PostgreSQL ${mb(samples[0]!.db)} MB`);
    let receivedBefore = 0;
    const sampling = (async () => {
      for (let t = sampleSeconds; performance.now() < end; t += sampleSeconds) {
        await sleep(Math.max(0, started + t * 1000 - performance.now()));
        const edge = cluster.balancer.take();
        const batches = edge.filter((q) => q.method === 'POST' && q.path.endsWith('/batches'));
        for (const q of edge)
          if (q.status >= 500 || (q.status >= 400 && q.status !== 404))
            error(`${q.status} at the balancer for ${q.method} ${q.path.replace(/[0-9a-f-]{8,}/g, ':id')}`);
        batchAll.push(...batches.map((q) => q.ms));
        const table = tableTimes.splice(0);
        tableAll = tableAll.concat(table);
        const sample = memory();
        samples.push(sample);
        const total = received.reduce((a, b) => a + b, 0);
        console.log(
          `  ${(t / 60).toFixed(1).padStart(5)} min: API ${sample.api.map(mb).join('/')} MB, PostgreSQL ${mb(sample.db)} MB; ` +
            `${batches.length} batches p50 ${quantile(
              batches.map((q) => q.ms),
              0.5,
            )} ms p99 ${quantile(
              batches.map((q) => q.ms),
              0.99,
            )} ms; ` +
            `runs table ${table.length} reads p50 ${quantile(table, 0.5)} ms p99 ${quantile(table, 0.99)} ms; ` +
            `subscribers got ${Math.round((total - receivedBefore) / sampleSeconds)} points/s; errors so far ${[...errors.values()].reduce((a, b) => a + b, 0)}`,
        );
        receivedBefore = total;
      }
    })();
    await Promise.all([...writing, ...reading, sampling]);

    const finishes = await Promise.all(writers.map((w) => w.run.finish('finished', { timeoutMs: 120_000 })));
    await sleep(2_000);
    for (const socket of sockets) {
      socket.removeAllListeners('disconnect');
      socket.disconnect();
    }
    let stored = 0;
    for (const w of writers) {
      const detail = (await call('GET', `${project.runs}/${w.run.key}`)) as { series: Array<{ name: string; count: number }> };
      for (const s of detail.series) if (names.includes(s.name)) stored += s.count;
    }
    const logged = writers.reduce((a, w) => a + w.steps, 0) * metricCount;
    const expectedReceived = writers.reduce((a, w, i) => a + w.steps * metricCount * Math.ceil((subscriberCount - i) / writerCount), 0);
    const first = samples[1] ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const peak = (get: (s: (typeof samples)[number]) => number | null) => Math.max(...samples.map((s) => get(s) ?? 0));
    console.log(`summary over ${minutes} min:`);
    cluster.nodes.forEach((_, i) =>
      console.log(
        `  API node ${i + 1} memory: ${mb(first.api[i]!)} MB after the first sample, ${mb(last.api[i]!)} MB at the end, peak ${mb(peak((s) => s.api[i]!))} MB`,
      ),
    );
    console.log(
      `  PostgreSQL memory: ${mb(first.db)} MB after the first sample, ${mb(last.db)} MB at the end, peak ${mb(peak((s) => s.db))} MB`,
    );
    console.log(`  batches at the balancer: ${batchAll.length}, p50 ${quantile(batchAll, 0.5)} ms, p99 ${quantile(batchAll, 0.99)} ms`);
    console.log(`  runs table: ${tableAll.length} reads, p50 ${quantile(tableAll, 0.5)} ms, p99 ${quantile(tableAll, 0.99)} ms`);
    console.log(
      `  stored: ${stored} points of ${logged} logged (${stored === logged ? 'exactly once' : 'NOT exactly'}); ` +
        `every finish delivered: ${finishes.every((f) => f.delivered && !f.dropped.length)}`,
    );
    console.log(`  subscribers received ${received.reduce((a, b) => a + b, 0)} of ${expectedReceived} points sent to them`);
    console.log(`  errors: ${errors.size ? [...errors].map(([what, n]) => `${what} x${n}`).join('; ') : 'none'}`);
  } finally {
    await cluster.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
