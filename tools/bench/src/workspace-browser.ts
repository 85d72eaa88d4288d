/**
 * The project workspace in Chromium at scale: a project of 10,000 runs × 1,000
 * metric names (50 sections of 20; summaries seeded in SQL), whose 100 newest
 * runs log points through the API (1,000 points for the first sections' metrics,
 * a short tail for the rest). Times, from navigation or from the action:
 *   - first screen: every chart panel in the viewport holds the 100 visible runs' lines;
 *   - each of the 50 sections scrolled into view until its first panels have drawn;
 *   - grouping the table by a param with 20 values until the charts draw 20 mean lines with bands;
 *   - adding a column from the picker until the table shows it;
 * and the longest frame (gap between animation frames) of each step.
 *
 *   createdb -h 127.0.0.1 -U postgres tb_workspace_bench
 *   npx nx run @trackbase/api:build && (cd apps/web && npx vite build) && \
 *     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_workspace_bench npx tsx tools/bench/src/workspace-browser.ts
 *
 * With BENCH_STATE=<file>, the seeded project is written there and reused by later runs against the same
 * database (seeding 10,000,000 summaries takes many minutes); BENCH_TRACE=1 prints the first screen's API requests.
 *
 * Env: BENCH_RUNS (10,000), BENCH_METRICS (1,000, in sections of 20), BENCH_CHARTED (100 runs with points),
 * BENCH_POINTS (1,000) for the first BENCH_FULL_METRICS (60) names, BENCH_TAIL_POINTS (20) for the others,
 * CHROMIUM_PATH (/usr/bin/chromium), WEB_DIST_DIR (the web build to serve; default apps/web/dist).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { chromium, type Page } from 'playwright-core';
import { api, setupProject, startServer } from './server';

const runCount = Number(process.env.BENCH_RUNS ?? 10_000);
const metricCount = Number(process.env.BENCH_METRICS ?? 1_000);
const charted = Number(process.env.BENCH_CHARTED ?? 100);
const points = Number(process.env.BENCH_POINTS ?? 1_000);
const fullMetrics = Number(process.env.BENCH_FULL_METRICS ?? 60);
const tailPoints = Number(process.env.BENCH_TAIL_POINTS ?? 20);
const PER_SECTION = 20;
const GROUPS = 20;

const metricName = (m: number) => `layer_${Math.floor(m / PER_SECTION)}/m_${m % PER_SECTION}`;

async function seed(databaseUrl: string, project: Awaited<ReturnType<typeof setupProject>>) {
  const call = api(project);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const [{ id: projectId, organization_id: orgId }] = (
    await db.query(`SELECT id, organization_id FROM projects WHERE slug = $1`, [project.project])
  ).rows;
  const t0 = performance.now();
  const older = runCount - charted;
  // The older runs: params and summaries only, created before the charted ones.
  await db.query('ALTER TABLE series SET (autovacuum_enabled = false)');
  await db.query(
    `INSERT INTO runs (organization_id, project_id, number, name, state, params, created_at)
     SELECT $1, $2, n, 'run-' || n, 'finished', jsonb_build_object('lr', (n % 7) / 1000.0, 'group', n % ${GROUPS}, 'seed', n),
            now() - make_interval(secs => ($3 - n + 60))
       FROM generate_series(1, $3) AS n`,
    [orgId, projectId, older],
  );
  await db.query(`UPDATE projects SET next_run_number = $2 + 1 WHERE id = $1`, [projectId, older]);
  for (let from = 1; from <= older; from += 500) {
    await db.query(
      `INSERT INTO series (organization_id, project_id, run_id, kind, name, count, last_step, last_value, min_value, max_value)
       SELECT r.organization_id, r.project_id, r.id, 'metric',
              'layer_' || ((m - 1) / ${PER_SECTION}) || '/m_' || ((m - 1) % ${PER_SECTION}), 100, 99, random(), random(), random()
         FROM runs r, generate_series(1, $2) m
        WHERE r.project_id = $1 AND r.number BETWEEN $3 AND $4`,
      [projectId, metricCount, from, from + 499],
    );
  }
  console.log(`seeded ${older.toLocaleString('en-US')} runs' summaries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The charted runs: real points through the batch endpoint.
  const t1 = performance.now();
  const keys: string[] = [];
  for (let r = 0; r < charted; r++) {
    const n = older + r + 1;
    const run = await call('POST', project.runs, { name: `run-${n}`, params: { lr: (n % 7) / 1000, group: n % GROUPS, seed: n } });
    keys.push(run.key);
    let seq = 0;
    const send = async (names: number[], count: number) => {
      const steps = Array.from({ length: count }, (_, i) => Math.round((i * (points - 1)) / Math.max(1, count - 1)));
      for (let i = 0; i < names.length; i += 20) {
        await call('POST', `${project.runs}/${run.key}/batches`, {
          streamId: 'bench',
          seq: seq++,
          metrics: names.slice(i, i + 20).map((m) => ({
            name: metricName(m),
            steps,
            values: steps.map((s) => Math.exp(-s / (200 + m)) * (1 + (n % GROUPS) / 40) + Math.sin(s / 7 + r) * 0.01),
            times: steps.map((s) => 1_700_000_000_000 + s * 1000),
          })),
        });
      }
    };
    const all = Array.from({ length: metricCount }, (_, m) => m);
    await send(all.slice(0, fullMetrics), points);
    if (tailPoints > 0) await send(all.slice(fullMetrics), tailPoints);
    await call('PATCH', `${project.runs}/${run.key}`, { state: 'finished' });
  }
  console.log(`logged ${charted} runs' points in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  // What an import or a long bulk load should end with (autovacuum may be late).
  await db.query('ALTER TABLE series RESET (autovacuum_enabled)');
  await db.query('ANALYZE runs; ANALYZE series; ANALYZE project_fields');
  await db.end();
  return keys;
}

async function login(url: string, email: string): Promise<unknown> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'benchmark-password' }),
  });
  if (!response.ok) throw new Error(`login: ${response.status}`);
  return response.json();
}

async function whoami(url: string, key: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/users/me`, { headers: { authorization: `Bearer ${key}` } });
  return ((await response.json()) as { email: string }).email;
}

const FRAMES = `
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => { window.__frames.push(now - last); last = now; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`;

/** Longest gap between animation frames since the last call. */
async function longestFrame(page: Page): Promise<number> {
  return page.evaluate<number>(
    `(() => { const f = window.__frames.slice(1); window.__frames = [0]; return f.length ? Math.max(...f) : 0; })()`,
  );
}

/** Every chart panel in the viewport has drawn `lines` lines (or any, when undefined). */
function chartsInView(lines?: number, bands?: number) {
  return `(() => {
    const charts = [...document.querySelectorAll('.project-panels figure[data-lines]')].filter((f) => {
      const r = f.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    });
    // Panels still waiting for their points count too: a screen is ready when none is left.
    const waiting = [...document.querySelectorAll('.project-panels .panel-placeholder')].filter((p) => {
      const r = p.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    });
    return charts.length > 0 && !waiting.length && charts.every((f) => ${lines === undefined ? 'true' : `Number(f.getAttribute('data-lines')) === ${lines}`}
      && ${bands === undefined ? 'true' : `Number(f.getAttribute('data-bands')) === ${bands}`});
  })()`;
}

async function main() {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('set BENCH_DATABASE_URL to an empty database');
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3913), {
    WEB_DIST_DIR: process.env.WEB_DIST_DIR ?? resolve(__dirname, '../../../apps/web/dist'),
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const state = process.env.BENCH_STATE;
    let project: Awaited<ReturnType<typeof setupProject>>;
    if (state && existsSync(state)) {
      const saved = JSON.parse(readFileSync(state, 'utf8')) as typeof project & { email: string };
      project = { ...saved, url: server.url, tokens: await login(server.url, saved.email) };
    } else {
      project = await setupProject(server.url, 'workspacebench');
      await seed(databaseUrl, project);
      if (state) writeFileSync(state, JSON.stringify({ ...project, email: await whoami(server.url, project.key) }));
    }
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.addInitScript({
      content: `localStorage.setItem('trackbase.session', ${JSON.stringify(JSON.stringify(project.tokens))});${FRAMES}`,
    });
    const page = await context.newPage();
    const base = `${server.url}/${project.org}/${project.project}`;
    const results: string[] = [];
    const wait = (fn: string) => page.waitForFunction(fn, undefined, { timeout: 300_000, polling: 16 });

    if (process.env.BENCH_TRACE) {
      const started = new Map<unknown, number>();
      page.on('request', (r) => started.set(r, Date.now()));
      page.on('requestfinished', (r) => {
        if (!r.url().includes('/api/')) return;
        void r.sizes().then((sizes) => {
          const path = new URL(r.url()).pathname.replace(/^.*\/projects\/[^/]+/, '');
          const body = r.postData()?.slice(0, 80) ?? '';
          console.log(`    ${Date.now() - started.get(r)!} ms ${sizes.responseBodySize} B ${r.method()} ${path} ${body}`);
        });
      });
    }
    // Warm the browser's cache of the app's own files (a returning user), then measure a fresh navigation.
    await page.goto(base);
    await wait(chartsInView());
    await page.goto('about:blank');
    if (process.env.BENCH_TRACE) console.log('  measured navigation:');
    const t0 = Date.now();
    await page.goto(base);
    await page.getByRole('table', { name: 'Runs' }).getByRole('row').nth(1).waitFor({ timeout: 300_000 });
    const firstRow = Date.now() - t0;
    await wait(chartsInView(charted));
    const firstScreen = Date.now() - t0;
    const panels = await page.evaluate<number>(`document.querySelectorAll('.project-panels [data-panel]').length`);
    results.push(
      `first row ${firstRow} ms; first screen of panels (${charted} lines each): ${firstScreen} ms; longest frame ${(await longestFrame(page)).toFixed(0)} ms; ${panels} panels laid out`,
    );

    // Sections one after another: each brought into view, until its panels on screen have drawn.
    const sectionTimes: number[] = [];
    const sections = Math.ceil(metricCount / PER_SECTION);
    for (let s = 0; s < sections; s++) {
      const t = Date.now();
      await page.getByLabel(`section layer_${s}`, { exact: true }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await wait(chartsInView(charted));
      sectionTimes.push(Date.now() - t);
    }
    sectionTimes.sort((a, b) => a - b);
    results.push(
      `${sections} sections scrolled into view: median ${sectionTimes[Math.floor(sections / 2)]} ms, max ${sectionTimes[sections - 1]} ms; longest frame ${(await longestFrame(page)).toFixed(0)} ms`,
    );

    // Group by a param with 20 values: the charts draw one mean line and band per group.
    await page.evaluate(`window.scrollTo(0, 0)`);
    await wait(chartsInView(charted));
    await longestFrame(page);
    const t2 = Date.now();
    await page.getByLabel('Group by').selectOption('params.group');
    await wait(chartsInView(GROUPS, GROUPS));
    results.push(
      `group by a param (${GROUPS} groups, mean ± std bands): ${Date.now() - t2} ms; longest frame ${(await longestFrame(page)).toFixed(0)} ms`,
    );

    // Add a column from the picker.
    await page.getByRole('button', { name: /^Columns/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose columns' });
    await page.getByRole('textbox', { name: 'Search columns' }).fill('layer_7/m_3');
    const box = dialog.getByRole('checkbox', { name: 'layer_7/m_3 max' });
    await box.waitFor({ timeout: 300_000 });
    await longestFrame(page);
    const t3 = Date.now();
    await box.click();
    await page
      .getByRole('table', { name: 'Runs' })
      .getByRole('columnheader', { name: /metrics\.layer_7\/m_3\.max/ })
      .waitFor({ timeout: 300_000 });
    await page.waitForFunction(
      `[...document.querySelectorAll('[role=table][aria-label=Runs] [role=row]')].slice(1, 3).every((r) => /\\d/.test(r.textContent))`,
      undefined,
      { timeout: 300_000 },
    );
    results.push(`add a column (layer_7/m_3 max): ${Date.now() - t3} ms; longest frame ${(await longestFrame(page)).toFixed(0)} ms`);

    console.log(
      `workspace: ${runCount.toLocaleString('en-US')} runs × ${metricCount.toLocaleString('en-US')} metric names, ${charted} charted (Chromium, headless)`,
    );
    for (const line of results) console.log(`  ${line}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
