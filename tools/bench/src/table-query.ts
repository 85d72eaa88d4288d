/**
 * A logged table of 200,000 rows: time to a sorted, filtered page and to
 * column statistics, through the HTTP API (server as its own process).
 *
 *   npx tsx tools/bench/src/table-query.ts
 *
 * Env: BENCH_ROWS (default 200,000), BENCH_REPEAT (default 30), BENCH_DATABASE_URL (else embedded PostgreSQL).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, Table } from '@trackbase/sdk';
import { setupProject, startServer } from './server';

const rows = Number(process.env.BENCH_ROWS ?? 200_000);
const repeat = Number(process.env.BENCH_REPEAT ?? 30);
const LABELS = ['cat', 'dog', 'bird', 'fish', 'horse', 'cow', 'sheep', 'goat', 'duck', 'frog'];

async function time(url: string, key: string, n: number) {
  const times: number[] = [];
  let body: any;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    body = await response.json();
    if (!response.ok) throw new Error(JSON.stringify(body));
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]!, first: times[0]!, body };
}

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3905));
  try {
    const p = await setupProject(server.url, 'tables');
    const ids = Array.from({ length: rows }, (_, i) => i);
    const table = new Table({
      data: {
        id: ids,
        label: ids.map((i) => LABELS[(i * 7) % LABELS.length]!),
        truth: ids.map((i) => LABELS[(i * 3) % LABELS.length]!),
        score: ids.map((i) => ((i * 2654435761) % 1_000_003) / 1_000_003),
        correct: ids.map((i) => i % 3 !== 0),
        text: ids.map((i) => `sample ${i} of the evaluation set`),
      },
    });
    const run = await init({
      url: server.url,
      apiKey: p.key,
      project: `${p.org}/${p.project}`,
      dir: mkdtempSync(join(tmpdir(), 'tb-bench-table-')),
      systemMetricsIntervalMs: 0,
      exitHandlers: false,
      context: false,
      log: (message) => console.error(message),
    });
    const t0 = performance.now();
    await run.log({ preds: table }, 0);
    const done = await run.finish('finished', { timeoutMs: 600_000 });
    const logged = performance.now() - t0;
    if (!done.delivered) throw new Error(`table not delivered: ${JSON.stringify(done)}`);
    const document = table.toDocument().length;
    console.log(
      `table: ${rows.toLocaleString('en-US')} rows x 6 columns, document ${(document / 1e6).toFixed(1)} MB; log + upload + Parquet conversion ${(logged / 1000).toFixed(2)} s`,
    );
    const base = `${server.url}/api/v1${p.runs}/${run.key}/tables`;
    const filter = encodeURIComponent('label IN ("cat", "dog", "bird") AND score > 0.25 AND correct = true');
    const cases: Array<[string, string]> = [
      ['first page, file order', `${base}/rows?key=preds&limit=50`],
      ['sorted by score desc, filtered (3 conditions)', `${base}/rows?key=preds&limit=50&sort=-score&filter=${filter}`],
      ['sorted by text, page at offset 100,000', `${base}/rows?key=preds&limit=50&sort=text&offset=100000`],
      ['column statistics, filtered', `${base}/stats?key=preds&filter=${filter}`],
    ];
    const cold = await time(cases[1]![1], p.key, 1);
    console.log(`  cold (Parquet fetched from the store into the cache): ${cold.first.toFixed(1)} ms`);
    for (const [label, url] of cases) {
      const r = await time(url, p.key, repeat);
      console.log(`  ${label}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (matched ${r.body.matchedRows})`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
