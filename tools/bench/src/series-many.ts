/**
 * Many series of many runs, as the compare page and the project charts read them:
 * 100 runs × 50 metrics × 1,000 points each, read for display (maxPoints per series).
 * Times the old `GET …/series?runs=` (one request for all runs) against
 * `POST …/series/query` (all at once, and split into 5 requests of 10 metrics as the
 * web app sends them), and an incremental read by cursor after 10 more points per series.
 * Timed from this process over loopback (an upper bound for the server's own time);
 * SQL statements reading segments are counted in the server process.
 *
 *   npx nx run @trackbase/api:build && npx tsx tools/bench/src/series-many.ts
 *
 * Env: BENCH_RUNS (100), BENCH_SERIES (50), BENCH_POINTS (1,000), BENCH_MAX_POINTS (300),
 * BENCH_REPEAT (5), BENCH_OLD=0 / BENCH_NEW=0 to skip the old / new endpoint.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, setupProject, startServer } from './server';

const runCount = Number(process.env.BENCH_RUNS ?? 100);
const seriesCount = Number(process.env.BENCH_SERIES ?? 50);
const points = Number(process.env.BENCH_POINTS ?? 1_000);
const maxPoints = Number(process.env.BENCH_MAX_POINTS ?? 300);
const repeat = Number(process.env.BENCH_REPEAT ?? 5);
const tallyFile = join(mkdtempSync(join(tmpdir(), 'series-many-')), 'queries.tsv');

async function timed(label: string, repeatCount: number, request: () => Promise<Response>) {
  const times: number[] = [];
  let bytes = 0;
  let body: unknown;
  for (let i = 0; i < repeatCount; i++) {
    const t0 = performance.now();
    const response = await request();
    const text = await response.text();
    if (!response.ok) throw new Error(`${label}: ${response.status} ${text.slice(0, 300)}`);
    times.push(performance.now() - t0);
    bytes = text.length;
    body = JSON.parse(text);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)]!;
  console.log(`  ${label}: p50 ${p50.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms, ${(bytes / 1e6).toFixed(2)} MB`);
  return body;
}

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3911), { BENCH_COUNT_QUERIES: tallyFile }, [
    '--require',
    join(__dirname, 'query-counter.cjs'),
  ]);
  try {
    const project = await setupProject(server.url, 'manyseries');
    const call = api(project);
    const keys: string[] = [];
    const names = Array.from({ length: seriesCount }, (_, m) => `layer_${m}/loss`);
    const t0 = performance.now();
    for (let r = 0; r < runCount; r++) {
      const run = await call('POST', project.runs, { params: { lr: 0.001 * (r + 1) } });
      keys.push(run.key);
      const steps = Array.from({ length: points }, (_, i) => i);
      await call('POST', `${project.runs}/${run.key}/batches`, {
        streamId: 'bench',
        seq: 0,
        metrics: names.map((name, m) => ({
          name,
          steps,
          values: steps.map((s) => Math.exp(-s / (200 + m)) + Math.sin(s / 7 + r) * 0.01),
          times: steps.map((s) => 1_700_000_000_000 + s * 1000),
        })),
      });
    }
    console.log(
      `seeded ${runCount} runs × ${seriesCount} series × ${points} points in ${((performance.now() - t0) / 1000).toFixed(1)} s; maxPoints ${maxPoints}`,
    );
    const headers = { authorization: `Bearer ${project.key}`, 'content-type': 'application/json' };
    const base = `${project.url}/api/v1/orgs/${project.org}/projects/${project.project}/series`;
    if (process.env.BENCH_OLD !== '0') {
      await timed(`GET /series?runs= (${runCount} runs, all series)`, repeat, () =>
        fetch(`${base}?runs=${keys.join(',')}&maxPoints=${maxPoints}`, { headers }),
      );
    }
    if (process.env.BENCH_NEW !== '0') await readNew(project, keys, names, headers, base);
  } finally {
    await server.stop();
  }
  if (existsSync(tallyFile)) {
    const lines = readFileSync(tallyFile, 'utf8').trim().split('\n');
    const reads = lines.filter((l) => /\tSELECT/.test(l) && /series_segments|FROM series /.test(l));
    console.log('SQL statements reading series (whole process, all requests above):');
    for (const l of reads) console.log(`  ${l}`);
  }
}

async function readNew(
  project: Awaited<ReturnType<typeof setupProject>>,
  keys: string[],
  names: string[],
  headers: Record<string, string>,
  base: string,
) {
  const call = api(project);
  {
    const query = (body: Record<string, unknown>) => () =>
      fetch(`${base}/query`, { method: 'POST', headers, body: JSON.stringify({ runs: keys, maxPoints, ...body }) });
    const all = (await timed(`POST /series/query (all series, with times)`, repeat, query({}))) as { cursor: string };
    await timed(`POST /series/query (all series, steps only)`, repeat, query({ times: false }));
    const t1 = performance.now();
    let bytes = 0;
    for (let i = 0; i < seriesCount; i += 10) {
      const response = await query({ names: names.slice(i, i + 10), times: false })();
      bytes += (await response.text()).length;
    }
    console.log(
      `  POST /series/query in ${Math.ceil(seriesCount / 10)} requests of 10 metrics: ${(performance.now() - t1).toFixed(0)} ms, ${(bytes / 1e6).toFixed(2)} MB`,
    );
    await timed(`POST /series/query (metadata only, maxPoints 0)`, repeat, query({ maxPoints: 0 }));
    // Ten more points per series, then the incremental read by cursor.
    for (const key of keys) {
      const steps = Array.from({ length: 10 }, (_, i) => points + i);
      await call('POST', `${project.runs}/${key}/batches`, {
        streamId: 'bench',
        seq: 1,
        metrics: names.map((name) => ({
          name,
          steps,
          values: steps.map(() => 0.5),
          times: steps.map((s) => 1_700_000_000_000 + s * 1000),
        })),
      });
    }
    const tail = (await timed(`POST /series/query by cursor (10 new points per series)`, repeat, query({ cursor: all.cursor }))) as {
      series: Array<{ steps: number[] }>;
    };
    console.log(`    ${tail.series.length} series, ${tail.series.reduce((n, s) => n + s.steps.length, 0)} points`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
