/**
 * SDK hot-loop cost and memory while the server is unreachable.
 *
 *   npx nx run @trackbase/sdk:build && npx tsx tools/bench/src/sdk-log-cost.ts
 *
 * 1. ns per logged point in async mode (journal append + buffers), with the
 *    server unreachable so the network is not measured.
 * 2. Heap and RSS while logging N points against an unreachable server: the
 *    in-memory queue is bounded; everything else waits in the journal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '@trackbase/sdk';

const points = Number(process.env.BENCH_POINTS ?? 2_000_000);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-sdk-'));
  const run = await init({
    url: 'http://127.0.0.1:9',
    apiKey: 'tbk_bench_unreachable',
    project: 'bench/sdk',
    dir,
    systemMetricsIntervalMs: 0,
    context: false,
    exitHandlers: false,
    log: () => undefined,
  });
  // Warm up, then time single-value calls and dict calls.
  for (let i = 0; i < 10_000; i++) void run.log('warm', i, i);
  let t0 = process.hrtime.bigint();
  for (let step = 0; step < points; step++) void run.log('loss', 1 / (step + 1), step);
  const single = Number(process.hrtime.bigint() - t0) / points;
  t0 = process.hrtime.bigint();
  const dictCalls = points / 4;
  for (let step = 0; step < dictCalls; step++) void run.log({ a: step, b: step, c: step, d: step }, step);
  const dict = Number(process.hrtime.bigint() - t0) / points;
  global.gc?.();
  const memory = process.memoryUsage();
  console.log(`sdk log cost (async mode, journal on, server unreachable), ${points.toLocaleString('en-US')} points:`);
  console.log(`  log(name, value, step): ${single.toFixed(0)} ns per point`);
  console.log(`  log({4 values}, step):  ${dict.toFixed(0)} ns per point`);
  console.log(
    `  after ${(2 * points + 10_000).toLocaleString('en-US')} points unsent: heap ${(memory.heapUsed / 1e6).toFixed(0)} MB, rss ${(memory.rss / 1e6).toFixed(0)} MB, queued batches in memory ${run.backlog}`,
  );
  await run.finish('finished', { timeoutMs: 0 });
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
