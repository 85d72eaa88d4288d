/**
 * The compare page in Chromium: 100 runs × 50 metrics × 1,000 points. Time from
 * navigation until the charts on the first screen hold every run's line, the
 * longest frame meanwhile (long tasks and gaps between animation frames), and
 * the time until every chart of the page has drawn after scrolling to the end.
 *
 *   npx nx run @trackbase/api:build && (cd apps/web && npx vite build) && npx tsx tools/bench/src/compare-browser.ts
 *
 * Env: BENCH_RUNS (100), BENCH_SERIES (50), BENCH_POINTS (1,000), CHROMIUM_PATH (/usr/bin/chromium),
 * WEB_DIST_DIR (the web build to serve; default apps/web/dist, e.g. an older build to compare against).
 */
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { api, setupProject, startServer } from './server';

const runCount = Number(process.env.BENCH_RUNS ?? 100);
const seriesCount = Number(process.env.BENCH_SERIES ?? 50);
const points = Number(process.env.BENCH_POINTS ?? 1_000);

async function main() {
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3912), {
    WEB_DIST_DIR: process.env.WEB_DIST_DIR ?? resolve(__dirname, '../../../apps/web/dist'),
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const project = await setupProject(server.url, 'comparebench');
    const call = api(project);
    const keys: string[] = [];
    const steps = Array.from({ length: points }, (_, i) => i);
    for (let r = 0; r < runCount; r++) {
      const run = await call('POST', project.runs, { params: { lr: 0.001 * (r + 1), layer: r % 4 } });
      keys.push(run.key);
      await call('POST', `${project.runs}/${run.key}/batches`, {
        streamId: 'bench',
        seq: 0,
        metrics: Array.from({ length: seriesCount }, (_, m) => ({
          name: `layer_${m}/loss`,
          steps,
          values: steps.map((s) => Math.exp(-s / (200 + m)) + Math.sin(s / 7 + r) * 0.01),
          times: steps.map((s) => 1_700_000_000_000 + s * 1000),
        })),
      });
    }
    const tokens = project.tokens;
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    // Runs in the page (a string: this file is compiled without DOM types).
    await context.addInitScript({
      content: `
        localStorage.setItem('trackbase.session', ${JSON.stringify(JSON.stringify(tokens))});
        window.__frames = [];
        window.__long = [];
        let last = performance.now();
        const tick = (now) => { window.__frames.push(now - last); last = now; requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
        new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ entryTypes: ['longtask'] });
      `,
    });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}/${project.org}/${project.project}/compare?runs=${keys.join(',')}`);
    // First screen: every chart in the viewport holds all runs' lines.
    await page.waitForFunction(
      `(() => {
        const inView = (e) => e.getBoundingClientRect().top < window.innerHeight;
        const charts = [...document.querySelectorAll('figure[data-lines]')].filter(inView);
        // Panels still waiting for their points count too: a screen is ready when none is left.
        const waiting = [...document.querySelectorAll('.panel-placeholder')].filter(inView);
        return charts.length > 0 && !waiting.length && charts.every((f) => Number(f.getAttribute('data-lines')) === ${runCount});
      })()`,
      undefined,
      { timeout: 300_000, polling: 50 },
    );
    const firstScreen = Date.now() - t0;
    console.log(`  first screen: ${firstScreen} ms`);
    const shown = await page.evaluate<number>(
      `[...document.querySelectorAll('figure[data-lines]')].filter((f) => f.getBoundingClientRect().top < window.innerHeight).length`,
    );
    const measure = () =>
      page.evaluate<{ frame: number; long: number }>(
        `({ frame: Math.max(...window.__frames.slice(1)), long: Math.max(0, ...window.__long) })`,
      );
    const atFirst = await measure();
    // Scroll to the end: the remaining panels load and draw as they come into view.
    const t1 = Date.now();
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, 1200);
      await page.waitForTimeout(50);
    }
    // Charts scrolled past are unmounted (their points stay in the page's store): done when the last panel
    // and every chart on screen have drawn.
    await page.waitForFunction(
      `(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        const panels = [...document.querySelectorAll('[data-panel]')];
        const last = panels[panels.length - 1]?.querySelector('figure[data-lines]');
        const inView = [...document.querySelectorAll('figure[data-lines]')].filter((f) => {
          const r = f.getBoundingClientRect();
          return r.bottom > 0 && r.top < window.innerHeight;
        });
        return panels.length >= ${seriesCount} && !!last && Number(last.getAttribute('data-lines')) === ${runCount}
          && inView.every((f) => Number(f.getAttribute('data-lines')) === ${runCount});
      })()`,
      undefined,
      { timeout: 300_000, polling: 100 },
    );
    const allCharts = Date.now() - t1;
    const atEnd = await measure();
    console.log(`compare page: ${runCount} runs × ${seriesCount} metrics × ${points} points (Chromium, headless)`);
    console.log(`  first screen of charts (${shown} charts, ${runCount} lines each): ${firstScreen} ms`);
    console.log(`  longest frame until then: ${atFirst.frame.toFixed(0)} ms (longest task ${atFirst.long.toFixed(0)} ms)`);
    console.log(
      `  scrolled through all ${seriesCount} charts: ${allCharts} ms more; longest frame overall ${atEnd.frame.toFixed(0)} ms (task ${atEnd.long.toFixed(0)} ms)`,
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
