/**
 * End to end: one SDK process logging as fast as it can to a local server;
 * points per second that arrive committed (counted from the server's series
 * summaries after finish()).
 *
 *   npm run build && npx tsx tools/bench/src/sdk-e2e-throughput.ts
 *
 * Env: BENCH_SECONDS (default 20), BENCH_SERIES (metrics per log call, default 20).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '@trackbase/sdk';
import { api, setupProject, startServer } from './server';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const seriesCount = Number(process.env.BENCH_SERIES ?? 20);

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3904));
  try {
    const project = await setupProject(server.url, 'sdkbench');
    const run = await init({
      url: server.url,
      apiKey: project.key,
      project: `${project.org}/${project.project}`,
      dir: mkdtempSync(join(tmpdir(), 'tb-sdk-e2e-')),
      systemMetricsIntervalMs: 0,
      context: false,
      exitHandlers: false,
      log: () => undefined,
    });
    const names = Array.from({ length: seriesCount }, (_, i) => `train/m${i}`);
    const values: Record<string, number> = {};
    const started = performance.now();
    const end = started + seconds * 1000;
    let step = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 1_000; i++, step++) {
        for (const name of names) values[name] = Math.sin(step + name.length);
        void run.log(values, step);
      }
      // Let the background sender run between bursts, as a training step would.
      await new Promise((r) => setImmediate(r));
    }
    const result = await run.finish('finished', { timeoutMs: 300_000 });
    const elapsed = (performance.now() - started) / 1000;
    const detail = await api(project)('GET', `${project.runs}/${run.key}`);
    const committed = (detail.series as Array<{ count: number }>).reduce((n, s) => n + s.count, 0);
    console.log(
      `sdk end to end: ${committed.toLocaleString('en-US')} points committed in ${elapsed.toFixed(1)} s (logging ${seconds} s, then finish) = ${Math.round(committed / elapsed).toLocaleString('en-US')} points/s; delivered: ${result.delivered}`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
