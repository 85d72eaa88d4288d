/**
 * Ingestion at service scale through the real HTTP endpoint, from this
 * separate process: many runs each sending a small batch on a fixed schedule.
 *
 *   npm run build && BENCH_RUNS=1000 BENCH_SECONDS=60 npx tsx tools/bench/src/small-batches.ts
 *
 * Env: BENCH_RUNS (comma list of levels, default 100,1000), BENCH_SECONDS (per level, default 30),
 * BENCH_INTERVAL_MS (each run's period, default 1000), BENCH_SERIES (default 10), BENCH_POINTS
 * (points per series per batch, default 5), BENCH_MODE=single (closed loop instead: BENCH_RUNS
 * clients each sending one value per request as fast as acknowledged), BENCH_READERS=1 (also read
 * the runs table, filter + sort by a metric, and one series while writing), BENCH_CPU_PROF=<dir>
 * (the server writes a V8 CPU profile there when it stops), BENCH_COUNT_QUERIES=<file> (the server
 * writes how many statements of each kind it sent there when it stops), BENCH_POOL (DB_POOL_SIZE), BENCH_DATABASE_URL,
 * BENCH_CLIENT=fetch (send with fetch as before, instead of node:http keep-alive), BENCH_SERVER_NODE_OPTIONS
 * (NODE_OPTIONS for the API process only). The load process's own CPU per request is printed too.
 *
 * Prints per level: batches sent and acknowledged, latency p50/p99/max, points committed (counted
 * from the runs' series summaries at the end: nothing lost, nothing duplicated), and the CPU time per
 * acknowledged request of the API process and of its embedded PostgreSQL (leave BENCH_DATABASE_URL unset).
 */
import { join } from 'node:path';
import { api, setupProject, startServer, type BenchProject } from './server';
import { postJson } from './http-post';
import { cpuMs, sampleCpu } from './process-cpu';

const levels = (process.env.BENCH_RUNS ?? '100,1000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const intervalMs = Number(process.env.BENCH_INTERVAL_MS ?? 1000);
const seriesPerBatch = Number(process.env.BENCH_SERIES ?? 10);
const pointsPerSeries = Number(process.env.BENCH_POINTS ?? 5);
const single = process.env.BENCH_MODE === 'single';
const readers = process.env.BENCH_READERS === '1';
const fetchClient = process.env.BENCH_CLIENT === 'fetch';

function batchBody(seq: number): string {
  const series = [];
  const now = Date.now();
  for (let s = 0; s < (single ? 1 : seriesPerBatch); s++) {
    const n = single ? 1 : pointsPerSeries;
    const steps = Array.from({ length: n }, (_, i) => seq * n + i);
    series.push({ name: `train/metric_${s}`, steps, values: steps.map((i) => Math.sin(i / 100 + s)), times: steps.map(() => now) });
  }
  return `{"streamId":"bench","seq":${seq},"metrics":${JSON.stringify(series)}}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): string {
  if (!sorted.length) return '-';
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0);
}

/** Reads while the writers run: the runs table (filter + sort by a metric) and one series. */
async function readLoop(project: BenchProject, runKey: string, until: number, table: number[], series: number[]) {
  const get = async (path: string, into: number[]) => {
    const t0 = performance.now();
    const response = await fetch(`${project.url}/api/v1${path}`, { headers: { authorization: `Bearer ${project.key}` } });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    into.push(performance.now() - t0);
  };
  const filter = encodeURIComponent('metrics.train/metric_0 > -2');
  while (performance.now() < until) {
    await get(`${project.runs}?filter=${filter}&sort=-metrics.train/metric_0&limit=50`, table);
    await get(`${project.runs}/${runKey}/series?names=train/metric_0&maxPoints=1000`, series);
    await sleep(100);
  }
}

async function main() {
  const cpuProf = process.env.BENCH_CPU_PROF;
  const serverEnv: Record<string, string> = { DB_POOL_SIZE: process.env.BENCH_POOL ?? '20' };
  if (process.env.BENCH_SERVER_NODE_OPTIONS !== undefined) serverEnv.NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS;
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3901), serverEnv, [
    ...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProf] : []),
    ...(process.env.BENCH_COUNT_QUERIES ? ['--require', join(__dirname, 'query-counter.cjs')] : []),
  ]);
  try {
    const project = await setupProject(server.url);
    const call = api(project);
    const pointsPerBatch = single ? 1 : seriesPerBatch * pointsPerSeries;
    console.log(
      single
        ? `one value per request, closed loop per client, ${seconds}s per level`
        : `small batches: ${seriesPerBatch} series x ${pointsPerSeries} points every ${intervalMs} ms per run, ${seconds}s per level`,
    );
    for (const runCount of levels) {
      const runs: Array<{ key: string; id: string }> = [];
      for (let i = 0; i < runCount; i += 50) {
        runs.push(...(await Promise.all(Array.from({ length: Math.min(50, runCount - i) }, () => call('POST', project.runs, {})))));
      }
      const latencies: number[] = [];
      let sent = 0;
      let acked = 0;
      let late = 0;
      const failures = new Map<string, number>();
      const table: number[] = [];
      const seriesReads: number[] = [];
      const groups = { api: { pid: server.pid, scope: 'self' as const }, db: { pid: server.pid, scope: 'descendants' as const } };
      const cpu0 = sampleCpu(groups);
      const load0 = process.cpuUsage();
      const windowFrom = process.hrtime.bigint() / 1000n;
      const started = performance.now();
      const end = started + seconds * 1000;
      const writers = runs.map(async (run, r) => {
        // Spread the runs' first sends over one period, as independent jobs would be.
        if (!single) await sleep((r / runCount) * intervalMs);
        let next = performance.now();
        for (let seq = 0; performance.now() < end; seq++) {
          const body = batchBody(seq);
          const t0 = performance.now();
          sent++;
          try {
            const url = `${project.url}/api/v1${project.runs}/${run.key}/batches`;
            const response = fetchClient
              ? await fetch(url, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` },
                  body,
                }).then(async (r) => ({ status: r.status, json: await r.json() }))
              : await postJson(url, project.key, body);
            const ack = response.json as { points?: number; duplicate?: boolean };
            if (response.status !== 200 || ack.duplicate) {
              const reason = `${response.status} ${JSON.stringify(ack).slice(0, 120)}`;
              failures.set(reason, (failures.get(reason) ?? 0) + 1);
            } else acked++;
          } catch (error) {
            const reason = String((error as Error).cause ?? error).slice(0, 120);
            failures.set(reason, (failures.get(reason) ?? 0) + 1);
          }
          latencies.push(performance.now() - t0);
          if (single) continue;
          next += intervalMs;
          const wait = next - performance.now();
          if (wait > 0) await sleep(wait);
          else late++;
        }
      });
      const reading = readers && runs[0] ? readLoop(project, runs[0].key, end, table, seriesReads) : Promise.resolve();
      await Promise.all([...writers, reading]);
      const elapsed = (performance.now() - started) / 1000;
      const cpu1 = sampleCpu(groups);
      const load1 = process.cpuUsage(load0);
      const windowTo = process.hrtime.bigint() / 1000n;
      latencies.sort((a, b) => a - b);
      const per = (group: string) => {
        const ms = cpuMs(cpu0, cpu1, group);
        return ms === null ? '?' : (ms / Math.max(1, acked)).toFixed(2);
      };
      console.log(
        `${String(runCount).padStart(5)} ${single ? 'clients' : 'runs'}: ${acked}/${sent} acknowledged (${(acked / elapsed).toFixed(0)}/s, ` +
          `${Math.round((acked * pointsPerBatch) / elapsed).toLocaleString('en-US')} points/s), latency p50 ${quantile(latencies, 0.5)} ms, ` +
          `p99 ${quantile(latencies, 0.99)} ms, max ${quantile(latencies, 1)} ms; ${single ? '' : `${late} sends late; `}` +
          `CPU per request: API ${per('api')} ms, PostgreSQL ${per('db')} ms, load process ${((load1.user + load1.system) / 1000 / Math.max(1, acked)).toFixed(2)} ms`,
      );
      if (cpuProf) console.log(`  profile window of this level: PROFILE_WINDOW=${windowFrom}-${windowTo}`);
      for (const [reason, count] of failures) console.log(`  failed x${count}: ${reason}`);
      if (readers) {
        table.sort((a, b) => a - b);
        seriesReads.sort((a, b) => a - b);
        console.log(
          `  readers: runs table filter+sort p50 ${quantile(table, 0.5)} ms p99 ${quantile(table, 0.99)} ms (${table.length}); ` +
            `series read p50 ${quantile(seriesReads, 0.5)} ms p99 ${quantile(seriesReads, 0.99)} ms (${seriesReads.length})`,
        );
      }
      let stored = 0;
      for (let i = 0; i < runs.length; i += 50) {
        const details = await Promise.all(runs.slice(i, i + 50).map((run) => call('GET', `${project.runs}/${run.key}`)));
        for (const detail of details as Array<{ series: Array<{ count: number }> }>) for (const s of detail.series) stored += s.count;
      }
      const expected = acked * pointsPerBatch;
      console.log(`  stored: ${stored} points, ${stored === expected ? 'exactly' : 'NOT'} the ${expected} acknowledged`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
