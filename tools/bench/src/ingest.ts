/**
 * Ingestion throughput through the real HTTP endpoint, from this separate
 * process: sustained committed points per second at several run concurrencies.
 *
 *   npm run build && npx tsx tools/bench/src/ingest.ts
 *
 * Env: BENCH_SECONDS (per level, default 20), BENCH_CONCURRENCY (default 1,8,64),
 * BENCH_SERIES (series per batch, default 20), BENCH_POINTS (points per series
 * per batch, default 2500), BENCH_DATABASE_URL (else an embedded PostgreSQL), BENCH_CLIENT=fetch (send
 * with fetch as before, instead of node:http keep-alive). Prints the CPU time per batch of the API process
 * and of its embedded PostgreSQL too (read from /proc).
 */
import { postJson } from './http-post';
import { cpuMs, sampleCpu } from './process-cpu';
import { api, setupProject, startServer } from './server';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const levels = (process.env.BENCH_CONCURRENCY ?? '1,8,64').split(',').map(Number);
const seriesPerBatch = Number(process.env.BENCH_SERIES ?? 20);
const pointsPerSeries = Number(process.env.BENCH_POINTS ?? 2500);
const fetchClient = process.env.BENCH_CLIENT === 'fetch';

/** The series part of a batch, serialised once: the load process must not be the bottleneck. */
function seriesJson(): string {
  const series = [];
  const now = Date.now();
  for (let s = 0; s < seriesPerBatch; s++) {
    const steps = Array.from({ length: pointsPerSeries }, (_, i) => i);
    series.push({ name: `train/metric_${s}`, steps, values: steps.map((i) => Math.sin(i / 100 + s)), times: steps.map((i) => now + i) });
  }
  return JSON.stringify(series);
}

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3900));
  try {
    const project = await setupProject(server.url);
    const call = api(project);
    const metrics = seriesJson();
    const pointsPerBatch = seriesPerBatch * pointsPerSeries;
    console.log(
      `ingest benchmark: ${seriesPerBatch} series x ${pointsPerSeries} points = ${pointsPerBatch} points per batch (${(metrics.length / 1e6).toFixed(1)} MB), ${seconds}s per level`,
    );
    for (const concurrency of levels) {
      const runs = await Promise.all(Array.from({ length: concurrency }, () => call('POST', project.runs, {})));
      let points = 0;
      let batches = 0;
      const latencies: number[] = [];
      const groups = { api: { pid: server.pid, scope: 'self' as const }, db: { pid: server.pid, scope: 'descendants' as const } };
      const cpu0 = sampleCpu(groups);
      const started = performance.now();
      const end = started + seconds * 1000;
      await Promise.all(
        runs.map(async (run: { key: string }) => {
          for (let seq = 0; performance.now() < end; seq++) {
            const body = `{"streamId":"bench","seq":${seq},"metrics":${metrics}}`;
            const t0 = performance.now();
            const url = `${project.url}/api/v1${project.runs}/${run.key}/batches`;
            const response = fetchClient
              ? await fetch(url, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` },
                  body,
                }).then(async (r) => ({ status: r.status, json: await r.json() }))
              : await postJson(url, project.key, body);
            const ack = response.json as { points?: number; duplicate?: boolean };
            if (response.status !== 200 || ack.duplicate) throw new Error(`batch failed: ${response.status} ${JSON.stringify(ack)}`);
            latencies.push(performance.now() - t0);
            points += ack.points ?? 0;
            batches++;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const cpu1 = sampleCpu(groups);
      const per = (group: string) => {
        const ms = cpuMs(cpu0, cpu1, group);
        return ms === null ? '?' : (ms / Math.max(1, batches)).toFixed(2);
      };
      latencies.sort((a, b) => a - b);
      const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
      console.log(
        `concurrency ${String(concurrency).padStart(2)}: ${Math.round(points / elapsed).toLocaleString('en-US')} points/s committed ` +
          `(${batches} batches in ${elapsed.toFixed(1)}s; batch latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; ` +
          `CPU per batch: API ${per('api')} ms, PostgreSQL ${per('db')} ms)`,
      );
    }
    if (process.env.BENCH_DATABASE_URL) {
      const { Client } = await import('pg');
      const client = new Client({ connectionString: process.env.BENCH_DATABASE_URL });
      await client.connect();
      const [{ bytes, points }] = (
        await client.query(`SELECT pg_total_relation_size('series_segments') AS bytes, (SELECT sum(count) FROM series_segments) AS points`)
      ).rows;
      console.log(`storage: ${(Number(bytes) / Number(points)).toFixed(2)} bytes per point (series_segments with indexes and TOAST)`);
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
