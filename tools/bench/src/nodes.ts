/**
 * Ingestion through HAProxy with 1, 2 and 3 API nodes on one PostgreSQL and one Redis, from this
 * separate process: sustained committed points per second, batch latency at the balancer and the
 * CPU each part used per batch (API nodes together, PostgreSQL, HAProxy, this load process), which
 * says where the time goes.
 *
 *   npm run build && npx tsx tools/bench/src/nodes.ts
 *
 * Env: BENCH_NODES (default 1,2,3), BENCH_SECONDS (per level, default 30), BENCH_CONCURRENCY (runs
 * sending closed loop, default 16), BENCH_SERIES (default 10), BENCH_POINTS (points per series per
 * batch, default 100), BENCH_ADMIN_URL (the PostgreSQL server a fresh database is made on),
 * REDIS_URL, BENCH_PORT (the balancer's; nodes take the next ports).
 */
import { startCluster } from './cluster';
import { postJson } from './http-post';
import { cpuMs, sampleCpu, type CpuGroups } from './process-cpu';
import { api, setupProject } from './server';

const levels = (process.env.BENCH_NODES ?? '1,2,3').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const seriesPerBatch = Number(process.env.BENCH_SERIES ?? 10);
const pointsPerSeries = Number(process.env.BENCH_POINTS ?? 100);
const basePort = Number(process.env.BENCH_PORT ?? 4410);

function seriesJson(): string {
  const now = Date.now();
  const series = [];
  for (let s = 0; s < seriesPerBatch; s++) {
    const steps = Array.from({ length: pointsPerSeries }, (_, i) => i);
    series.push({ name: `train/metric_${s}`, steps, values: steps.map((i) => Math.sin(i / 50 + s)), times: steps.map((i) => now + i) });
  }
  return JSON.stringify(series);
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;

async function main() {
  const metrics = seriesJson();
  const perBatch = seriesPerBatch * pointsPerSeries;
  console.log(
    `through HAProxy: ${concurrency} runs closed loop, ${seriesPerBatch} series x ${pointsPerSeries} points = ${perBatch} points per batch, ${seconds}s per level`,
  );
  for (const count of levels) {
    const cluster = await startCluster(count, basePort);
    try {
      const project = await setupProject(cluster.url, `nodes${count}`);
      const call = api(project);
      const runs: Array<{ key: string }> = await Promise.all(Array.from({ length: concurrency }, () => call('POST', project.runs, {})));
      // A short warm-up (JIT, pools, access caches on every node), not measured.
      const warmEnd = performance.now() + 3_000;
      const send = async (run: { key: string }, seq: number) => {
        const response = await postJson(
          `${cluster.url}/api/v1${project.runs}/${run.key}/batches`,
          project.key,
          `{"streamId":"b","seq":${seq},"metrics":${metrics}}`,
        );
        const ack = response.json as { points?: number; duplicate?: boolean };
        if (response.status !== 200 || ack.duplicate)
          throw new Error(`batch failed: ${response.status} ${JSON.stringify(ack).slice(0, 200)}`);
        return ack.points ?? 0;
      };
      const seqs = runs.map(() => 0);
      await Promise.all(
        runs.map(async (run, r) => {
          while (performance.now() < warmEnd) await send(run, seqs[r]!++);
        }),
      );
      cluster.balancer.take();

      const groups: CpuGroups = { haproxy: { pid: cluster.balancer.pid, scope: 'self' } };
      cluster.nodes.forEach((n, i) => (groups[`api${i}`] = { pid: n.pid, scope: 'self' }));
      if (cluster.postmasterPid) groups.db = { pid: cluster.postmasterPid, scope: 'descendants' };
      const cpu0 = sampleCpu(groups);
      const load0 = process.cpuUsage();
      let points = 0;
      let batches = 0;
      const started = performance.now();
      const end = started + seconds * 1000;
      await Promise.all(
        runs.map(async (run, r) => {
          while (performance.now() < end) {
            const committed = await send(run, seqs[r]!++); // not `points += await …`: that adds to a stale total
            points += committed;
            batches++;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const cpu1 = sampleCpu(groups);
      const load = process.cpuUsage(load0);
      const edge = cluster.balancer.take().filter((q) => q.method === 'POST' && q.path.endsWith('/batches'));
      const ms = edge.map((q) => q.ms).sort((a, b) => a - b);
      const per = (ms: number | null) => (ms === null ? '?' : (ms / Math.max(1, batches)).toFixed(2));
      let apiMs = 0;
      cluster.nodes.forEach((_, i) => (apiMs += cpuMs(cpu0, cpu1, `api${i}`) ?? 0));
      const spread = cluster.nodes.map((_, i) => Math.round((cpuMs(cpu0, cpu1, `api${i}`) ?? 0) / 1000)).join('/');
      console.log(
        `${count} node${count > 1 ? 's' : ' '}: ${Math.round(points / elapsed).toLocaleString('en-US')} points/s (${batches} batches in ${elapsed.toFixed(1)} s), ` +
          `at the balancer p50 ${quantile(ms, 0.5)} ms p99 ${quantile(ms, 0.99)} ms, ${edge.filter((q) => q.status !== 200).length} not 200; ` +
          `CPU per batch: API ${per(apiMs)} ms (nodes ${spread} s), PostgreSQL ${per(cpuMs(cpu0, cpu1, 'db'))} ms, ` +
          `HAProxy ${per(cpuMs(cpu0, cpu1, 'haproxy'))} ms, load process ${per((load.user + load.system) / 1000)} ms`,
      );
      let stored = 0;
      for (const run of runs) {
        const detail = (await call('GET', `${project.runs}/${run.key}`)) as { series: Array<{ count: number }> };
        for (const s of detail.series) stored += s.count;
      }
      const expected = seqs.reduce((a, b) => a + b, 0) * perBatch;
      console.log(`  stored: ${stored} points, ${stored === expected ? 'exactly' : 'NOT'} the ${expected} acknowledged (warm-up included)`);
    } finally {
      await cluster.stop();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
