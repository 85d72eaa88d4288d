/**
 * The media panel in compare, in Chromium: 50 runs × 4 image keys (256×256), 5 steps each, logged
 * with the TypeScript SDK (timing `run.log()` per image on the calling thread). Times from navigation until the grid shows every run's images at the last
 * step (each <img> loaded), then each slider move until every cell shows the new step's images.
 *
 *   npx nx run @trackbase/sdk:build && npx nx run @trackbase/api:build && npx nx run @trackbase/web:build \
 *     && npx tsx tools/bench/src/media-panel-browser.ts
 *
 * Env: BENCH_RUNS (50), BENCH_KEYS (4), BENCH_STEPS (5), BENCH_PORT, CHROMIUM_PATH (/usr/bin/chromium).
 */
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { Image, init } from '@trackbase/sdk';
import { api, sdkRunOptions, setupProject, startServer } from './server';

const runCount = Number(process.env.BENCH_RUNS ?? 50);
const keyCount = Number(process.env.BENCH_KEYS ?? 4);
const stepCount = Number(process.env.BENCH_STEPS ?? 5);
const SIZE = 256;

function pixels(seed: number): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let i = 0; i < SIZE * SIZE; i++) {
    const x = i % SIZE;
    const y = (i / SIZE) | 0;
    data[i * 3] = (x + seed * 37) & 255;
    data[i * 3 + 1] = (y * 2 + seed * 11) & 255;
    data[i * 3 + 2] = ((x ^ y) + seed) & 255;
  }
  return { data, width: SIZE, height: SIZE, channels: 3 };
}

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3913), { WEB_DIST_DIR: resolve(__dirname, '../../../apps/web/dist') });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const project = await setupProject(server.url, 'mediabench');
    const keys: string[] = [];
    const t0 = Date.now();
    const logMs: number[] = [];
    for (let r = 0; r < runCount; r++) {
      const run = await init(sdkRunOptions(project, 'tb-media-bench-'));
      keys.push(run.key!);
      for (let s = 0; s < stepCount; s++) {
        const values: Record<string, Image> = {};
        for (let k = 0; k < keyCount; k++) values[`samples_${k}`] = new Image(pixels(r * 100 + k * 10 + s), { caption: `step ${s}` });
        const tl = performance.now();
        await run.log(values, s);
        logMs.push((performance.now() - tl) / keyCount);
      }
      const done = await run.finish();
      if (!done.delivered) throw new Error(`run ${run.key} was not delivered`);
    }
    logMs.sort((a, b) => a - b);
    console.log(
      `logged ${runCount * keyCount * stepCount} images (${runCount} runs, each finished) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `  run.log() per 256×256 RGB image on the calling thread (PNG encode, hash, journal): median ${logMs[logMs.length >> 1]!.toFixed(2)} ms, p95 ${logMs[Math.floor(logMs.length * 0.95)]!.toFixed(2)} ms`,
    );

    // Thumbnails are made in the background: wait until the server has made every one.
    const call = api(project);
    const runIds: string[] = await Promise.all(keys.map(async (k) => (await call('GET', `${project.runs}/${k}`)).id));
    const tw = Date.now();
    for (;;) {
      let pending = 0;
      for (let s = 0; s < stepCount; s++) {
        const grid = await call('POST', `/orgs/${project.org}/projects/${project.project}/media/grid`, {
          runs: runIds,
          keys: Array.from({ length: keyCount }, (_, k) => `samples_${k}`),
          step: s,
        });
        for (const cell of grid.cells)
          pending += cell.items.filter((i: { thumbnailState: string | null }) => i.thumbnailState !== 'ready').length;
      }
      if (pending === 0) break;
      if (Date.now() - tw > 300_000) throw new Error(`${pending} thumbnails still not made`);
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`  every thumbnail made ${((Date.now() - tw) / 1000).toFixed(1)} s after the last run finished`);

    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.addInitScript({
      content: `localStorage.setItem('trackbase.session', ${JSON.stringify(JSON.stringify(project.tokens))});`,
    });
    const page = await context.newPage();
    const cells = runCount * keyCount;
    // Every cell shows the caption of `step` and every image in the grid has loaded.
    const gridAt = (step: number) =>
      page.waitForFunction(
        `(() => {
          const grid = document.querySelector('table[aria-label="Media"]');
          if (!grid) return false;
          const captions = [...grid.querySelectorAll('td figcaption')];
          const images = [...grid.querySelectorAll('td img')];
          return captions.length === ${cells} && captions.every((c) => c.textContent === 'step ${step}')
            && images.length >= ${cells} && images.every((i) => i.complete && i.naturalWidth > 0);
        })()`,
        undefined,
        { timeout: 300_000, polling: 20 },
      );
    const t1 = Date.now();
    await page.goto(`${server.url}/${project.org}/${project.project}/compare?runs=${keys.join(',')}`);
    await gridAt(stepCount - 1);
    const open = Date.now() - t1;
    // Where a move's time goes: the grid request (sent → answered), rendering the new cells
    // (answered → every caption shows the step), and loading their images (→ every <img> loaded);
    // and how many image requests reached the server.
    const captionsAt = (step: number) =>
      page.waitForFunction(
        `(() => {
          const grid = document.querySelector('table[aria-label="Media"]');
          const captions = grid ? [...grid.querySelectorAll('td figcaption')] : [];
          return captions.length === ${cells} && captions.every((c) => c.textContent === 'step ${step}');
        })()`,
        undefined,
        { timeout: 300_000, polling: 5 },
      );
    // Image answers that reached the server (not the browser's caches), as Chromium reports them; grid
    // requests sent for the move (none when the panel has the grid already, fetched ahead or seen).
    let imageRequests = 0;
    let gridRequests = 0;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.responseReceived', (e) => {
      if (e.type === 'Image' && !e.response.fromDiskCache && !e.response.fromPrefetchCache) imageRequests++;
    });
    page.on('request', (r) => {
      if (r.url().includes('/media/grid')) gridRequests++;
    });
    const moves: number[] = [];
    const phases: Array<{ position: number; shown: number; images: number; requests: number; grids: number }> = [];
    // Settle between moves (the neighbours fetched ahead arrive) so each move is measured on its own.
    const settle = () => page.waitForLoadState('networkidle');
    await settle();
    for (const position of [0, 2, 1, 3, stepCount - 1, 0, 1]) {
      imageRequests = 0;
      gridRequests = 0;
      const t = Date.now();
      await page.getByRole('slider', { name: 'step' }).fill(String(position));
      await captionsAt(position);
      const tShown = Date.now();
      await gridAt(position);
      moves.push(Date.now() - t);
      const done = Date.now();
      await settle();
      phases.push({ position, shown: tShown - t, images: done - tShown, requests: imageRequests, grids: gridRequests });
    }
    const sorted = [...moves].sort((a, b) => a - b);
    console.log(`media panel: ${runCount} runs × ${keyCount} keys of 256×256 images, ${stepCount} steps (Chromium, headless)`);
    console.log(`  open compare until every cell's image at the last step has loaded: ${open} ms`);
    console.log(
      `  slider move until every cell shows the new step's loaded image: ${moves.join(', ')} ms (median ${sorted[sorted.length >> 1]} ms)`,
    );
    for (const [i, p] of phases.entries())
      console.log(
        `    move ${i + 1} (to position ${p.position}): captions shown ${p.shown} ms, then images loaded ${p.images} ms; ${p.grids} grid requests, ${p.requests} image requests reached the server (fetches ahead included)`,
      );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
