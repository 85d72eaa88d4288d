/**
 * Storage per point and read time for runs that log one point per request, without and with
 * segment compaction (apps/api/src/runs/compaction), each on a fresh database.
 *
 *   npx nx run @trackbase/api:build && npx tsx tools/bench/src/compaction.ts
 *
 * Env: BENCH_RUNS (default 10), BENCH_POINTS (points per run, one per request, default 1000),
 * BENCH_CONCURRENCY (requests in flight, default 8), BENCH_ADMIN_URL (a PostgreSQL the bench may
 * create databases in, default postgres://postgres@127.0.0.1:5432/postgres), BENCH_PORT.
 *
 * Prints per phase: requests/s while logging; segment rows; bytes per point of the live rows
 * (row data plus tuple header and line pointer) and of table + indexes after VACUUM FULL; and the
 * p50 / p95 of reading one run's whole series (raw points) and of the chart read of all runs.
 */
import pg from 'pg';
import { postJson } from './http-post';
import { setupProject, startServer, type BenchProject } from './server';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const points = Number(process.env.BENCH_POINTS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const port = Number(process.env.BENCH_PORT ?? 4400);
const READS = 15;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function log(p: BenchProject, keys: string[]): Promise<number> {
  const jobs: Array<{ run: string; step: number }> = [];
  for (let step = 0; step < points; step++) for (const run of keys) jobs.push({ run, step });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const { run, step } = jobs[next++]!;
        const body = `{"streamId":"s","seq":${step},"metrics":[{"name":"loss","steps":[${step}],"values":[${Math.sin(step / 50)}],"times":[${Date.now()}]}]}`;
        const answer = await postJson(`${p.url}/api/v1${p.runs}/${run}/batches`, p.key, body);
        if (answer.status !== 200) throw new Error(`batch answered ${answer.status}: ${JSON.stringify(answer.json)}`);
      }
    }),
  );
  return jobs.length / ((performance.now() - started) / 1000);
}

async function timed(url: string, key: string, init?: RequestInit): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

async function phase(label: string, compaction: boolean): Promise<void> {
  const databaseUrl = await createDatabase(`trackbase_bench_compaction_${compaction ? 'on' : 'off'}`);
  console.error(`${label}: starting the API on a fresh database`);
  const server = await startServer(port, { DATABASE_URL: databaseUrl, SEGMENT_COMPACTION_INTERVAL_MS: compaction ? '1000' : '0' });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const p = await setupProject(server.url, `cmp-${compaction ? 'on' : 'off'}`);
    const keys: string[] = [];
    for (let i = 0; i < runs; i++) {
      const response = await fetch(`${p.url}/api/v1${p.runs}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' },
        body: '{}',
      });
      keys.push(((await response.json()) as { key: string }).key);
    }
    console.error(`${label}: logging`);
    const rate = await log(p, keys);
    console.error(`${label}: measuring`);
    const rows = async () => Number((await db.query(`SELECT count(*) AS n FROM series_segments`)).rows[0].n);
    if (compaction) {
      // Until two passes in a row leave the row count as it was.
      let last = -1;
      for (let same = 0; same < 3; await sleep(1_000)) {
        const n = await rows();
        same = n === last ? same + 1 : 0;
        last = n;
      }
    }
    const segments = await rows();
    const live = Number((await db.query(`SELECT coalesce(sum(pg_column_size(g.*) + 28), 0) AS b FROM series_segments g`)).rows[0].b);
    await db.query(`VACUUM FULL series_segments`);
    const disk = Number((await db.query(`SELECT pg_total_relation_size('series_segments') AS b`)).rows[0].b);
    const one: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < READS; i++) {
      one.push(await timed(`${p.url}/api/v1${p.runs}/${keys[i % keys.length]}/series?names=loss&maxPoints=100000`, p.key));
      all.push(
        await timed(`${p.url}/api/v1/orgs/${p.org}/projects/${p.project}/series/query`, p.key, {
          method: 'POST',
          body: JSON.stringify({ runs: keys, names: ['loss'], maxPoints: 1000 }),
        }),
      );
    }
    const total = runs * points;
    console.log(
      `${label}: ${rate.toFixed(0)} requests/s logging; ${segments} segment rows for ${total} points; ` +
        `${(live / total).toFixed(1)} B/point live rows, ${(disk / total).toFixed(1)} B/point table+indexes after VACUUM FULL; ` +
        `one run's series (${points} points) p50 ${pct(one, 0.5).toFixed(1)} ms p95 ${pct(one, 0.95).toFixed(1)} ms; ` +
        `chart read of ${runs} runs p50 ${pct(all, 0.5).toFixed(1)} ms p95 ${pct(all, 0.95).toFixed(1)} ms`,
    );
  } finally {
    await db.end();
    await server.stop();
  }
}

async function main() {
  console.log(`${runs} runs x ${points} points, one point per request, ${concurrency} in flight`);
  await phase('without compaction', false);
  await phase('with compaction   ', true);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
