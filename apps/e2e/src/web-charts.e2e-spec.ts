import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const POINTS = 1_000_000;
const PER_BATCH = 250_000;

it('a 1,000,000-point series draws from a downsample and a zoom fetches that range at full detail', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const run = (await owner.api.post(runs, { name: 'long' })).body;
  for (let seq = 0; seq < POINTS / PER_BATCH; seq++) {
    const steps = Array.from({ length: PER_BATCH }, (_, i) => seq * PER_BATCH + i);
    const sent = await owner.api.post(`${runs}/${run.key}/batches`, {
      streamId: 'bulk',
      seq,
      metrics: [{ name: 'loss', steps, values: steps.map((s) => Math.sin(s / 5_000) + 2), times: steps.map((s) => 1_700_000_000_000 + s) }],
    });
    expect(sent.status).toBe(200);
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/runs/${run.key}?tab=charts`);
  const chart = page.getByLabel('chart loss', { exact: true });
  await chart.waitFor();
  const overview = Number(await chart.getAttribute('data-points'));
  expect(overview).toBeGreaterThan(0);
  expect(overview).toBeLessThanOrEqual(3_000);

  // Drag across a tenth of the plot: the chart asks the server for that range only.
  const zoomRequest = page.waitForResponse(
    (r) => r.url().endsWith('/series/query') && (JSON.parse(r.request().postData() ?? '{}').from ?? 0) > 0,
  );
  const box = (await chart.locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const response = await zoomRequest;
  const {
    series: [detail],
  } = (await response.json()) as { series: Array<{ steps: number[] }> };
  const { from, to } = JSON.parse(response.request().postData()!) as { from: number; to: number };
  expect(to - from).toBeGreaterThan(POINTS * 0.05);
  expect(to - from).toBeLessThan(POINTS * 0.2);
  expect(detail!.steps[0]).toBeGreaterThanOrEqual(from);
  expect(detail!.steps.at(-1)).toBeLessThanOrEqual(to);
  // The page still answers, and the chart now holds the zoomed points.
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBe(detail!.steps.length);
  await screenshot(page, '17-zoomed-million-point-chart');

  await chart.locator('.u-over').dblclick();
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBe(overview);
});
