import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

let t: TestApp;
let browser: Browser;
let owner: TestUser;
let org: string;
let project: string;
const keys: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org)).slug;
  const runs = `/orgs/${org}/projects/${project}/runs`;
  // Two optimizers × two seeds; adam's loss is lower. A learning rate in the thousandths.
  for (const [i, optimizer] of ['adam', 'adam', 'sgd', 'sgd'].entries()) {
    const run = (
      await owner.api.post(runs, {
        name: `${optimizer}-${i}`,
        params: { optimizer, seed: i, lr: 0.001 * (i + 1), layer_2: i, layer_10: 1 },
      })
    ).body;
    keys.push(run.key);
    const steps = Array.from({ length: 100 }, (_, s) => s);
    const base = optimizer === 'adam' ? 1 : 2;
    const sent = await owner.api.post(`${runs}/${run.key}/batches`, {
      streamId: 's',
      seq: 0,
      metrics: [
        { name: 'train/loss', steps, values: steps.map((s) => base * Math.exp(-s / 30) + (i % 2) * 0.15) },
        { name: 'train/acc', steps, values: steps.map((s) => 1 - Math.exp(-s / 30) / base) },
        { name: 'val/loss', steps, values: steps.map((s) => base * Math.exp(-s / 40) + 0.1) },
        { name: 'lr', steps, values: steps.map((s) => 0.001 + s * 0.000006) },
      ].map((m) => ({ ...m, times: steps.map((s) => 1_700_000_000_000 + s * 1000) })),
    });
    expect(sent.status).toBe(200);
  }
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function openPage(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}${path}`);
  return page;
}

async function dragAcross(page: Page, chartLabel: string, from: number, to: number) {
  const box = (await page.getByLabel(chartLabel, { exact: true }).locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * from, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to, box.y + box.height / 2, { steps: 6 });
  await page.mouse.up();
}

it('project charts: a line panel per metric with every run, panels added, resized and moved, zoom synced across panels', async () => {
  const page = await openPage(`/${org}/${project}`);
  const loss = page.getByLabel('chart train/loss', { exact: true });
  await loss.waitFor();
  await expect.poll(async () => Number(await loss.getAttribute('data-lines'))).toBe(4);
  // Small values keep their digits: no "0.001 0.001 0" ticks.
  const lr = page.getByLabel('chart lr', { exact: true });
  await expect.poll(async () => (await lr.getAttribute('data-yticks')) ?? '').toMatch(/0\.001\d/);
  const ticks = (await lr.getAttribute('data-yticks'))!.split('|');
  expect(new Set(ticks).size).toBe(ticks.length);

  // Resize: wider.
  const panel = page.getByLabel('panel train/loss', { exact: true });
  expect(await panel.getAttribute('data-width')).toBe('4');
  await page.getByRole('button', { name: 'Wider train/loss', exact: true }).click();
  await expect.poll(() => panel.getAttribute('data-width')).toBe('6');

  // Arrange: small namespaces share one section, in natural order; move train/loss before train/acc.
  const order = () =>
    page
      .getByLabel('section metrics')
      .locator('[data-panel]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  expect(await order()).toEqual(['panel lr', 'panel train/acc', 'panel train/loss', 'panel val/loss']);
  await page.getByRole('button', { name: 'Move train/loss earlier', exact: true }).click();
  await expect.poll(order).toEqual(['panel lr', 'panel train/loss', 'panel train/acc', 'panel val/loss']);

  // Add a parallel-coordinates panel over two params and a metric.
  await page.getByRole('button', { name: 'Add panel', exact: true }).click();
  const form = page.getByRole('form', { name: 'Add panel' });
  await form.getByLabel('Panel').selectOption('parallel');
  await form.getByLabel('Metric').fill('val/loss');
  await form.getByLabel('Params').selectOption(['lr', 'optimizer']);
  await form.getByRole('button', { name: 'Add panel' }).click();
  const parallel = page.getByRole('img', { name: 'parallel coordinates lr, optimizer, val/loss' });
  await parallel.waitFor();
  expect(await parallel.locator('polyline').count()).toBe(4);

  // Synced zoom: a drag on one chart zooms the other panels along steps, each re-reading that range.
  const zoomed = new Set<string>();
  page.on('request', (r) => {
    if (!r.url().endsWith('/series/query')) return;
    const body = JSON.parse(r.postData() ?? '{}') as { from?: number; names?: string[] };
    if (body.from !== undefined && body.from > 0) body.names?.forEach((n) => zoomed.add(n));
  });
  await page.getByLabel('chart train/acc', { exact: true }).scrollIntoViewIfNeeded();
  await dragAcross(page, 'chart train/loss', 0.4, 0.7);
  await expect.poll(() => [...zoomed].sort()).toEqual(expect.arrayContaining(['train/acc', 'train/loss', 'val/loss']));
  await screenshot(page, '30-project-panels-zoomed');

  // The layout survives a reload (kept per project until a saved view holds it).
  await page.reload();
  await page.getByLabel('panel train/loss', { exact: true }).waitFor();
  expect(await page.getByLabel('panel train/loss', { exact: true }).getAttribute('data-width')).toBe('6');
  await page.getByRole('img', { name: 'parallel coordinates lr, optimizer, val/loss' }).waitFor();
  await page.context().close();
});

it('compare: grouped runs draw as mean with a band, legends stay short, differences sort naturally with what differs first', async () => {
  const page = await openPage(`/${org}/${project}/compare?runs=${keys.join(',')}`);
  const loss = page.getByLabel('chart train/loss', { exact: true });
  await loss.waitFor();
  await expect.poll(async () => Number(await loss.getAttribute('data-lines'))).toBe(4);
  await page.getByLabel('Group runs by').selectOption('params.optimizer');
  await expect.poll(async () => Number(await loss.getAttribute('data-lines'))).toBe(2);
  expect(await loss.getAttribute('data-bands')).toBe('2');
  await expect.poll(() => loss.locator('.chart-legend').innerText()).toContain('adam (2)');
  expect(await loss.locator('.chart-legend').innerText()).toContain('sgd (2)');
  await screenshot(page, '31-compare-grouped-bands');

  const fields = await page.getByRole('table', { name: 'Differences' }).locator('tbody tr td:first-child').allInnerTexts();
  expect(fields.indexOf('params.layer_2')).toBeGreaterThanOrEqual(0);
  // Differing params first (layer_2, lr, optimizer, seed in natural order), then the same-valued layer_10.
  expect(fields.indexOf('params.layer_2')).toBeLessThan(fields.indexOf('params.layer_10'));
  expect(fields.indexOf('params.layer_10')).toBeGreaterThan(fields.indexOf('params.seed'));
  await page.context().close();
});

it('run page: two metrics overlaid in one panel, panels side by side rather than one column', async () => {
  const page = await openPage(`/${org}/${project}/runs/${keys[0]}?tab=charts`);
  await page.getByLabel('chart train/loss', { exact: true }).waitFor();
  const a = (await page.getByLabel('panel train/acc', { exact: true }).boundingBox())!;
  const b = (await page.getByLabel('panel train/loss', { exact: true }).boundingBox())!;
  expect(Math.abs(a.y - b.y)).toBeLessThan(2);
  expect(b.x).toBeGreaterThan(a.x + a.width - 1);

  await page.getByRole('button', { name: 'Add panel', exact: true }).click();
  const form = page.getByRole('form', { name: 'Add panel' });
  await form.getByLabel('Metrics (comma-separated)').fill('train/loss, val/loss');
  await form.getByLabel('Section').fill('losses');
  await form.getByRole('button', { name: 'Add panel' }).click();
  const overlay = page.getByLabel('chart train/loss, val/loss', { exact: true });
  await overlay.waitFor();
  await expect.poll(async () => Number(await overlay.getAttribute('data-lines'))).toBe(2);
  expect(await overlay.locator('.chart-legend').innerText()).toContain('val/loss');
  await screenshot(page, '32-run-overlay');
  await page.context().close();
});

it('many metrics: the layout reads names only, charts read lines without extremes or wall times, and panels far out of view are unmounted', async () => {
  const slug = (await createProject(owner, org)).slug;
  const runs = `/orgs/${org}/projects/${slug}/runs`;
  const steps = Array.from({ length: 1_000 }, (_, s) => s);
  // 6 sections of 10 metrics, 1,000 points each: more than a chart's points per line, so every series is downsampled.
  for (let r = 0; r < 3; r++) {
    const run = (await owner.api.post(runs, { name: `many-${r}`, params: { r } })).body;
    for (let section = 0; section < 6; section++) {
      const sent = await owner.api.post(`${runs}/${run.key}/batches`, {
        streamId: 's',
        seq: section,
        metrics: Array.from({ length: 10 }, (_, m) => ({
          name: `sec_${section}/m_${m}`,
          steps,
          values: steps.map((s) => Math.exp(-s / (100 + m)) + r * 0.1 + Math.sin(s) * 0.01),
          times: steps.map((s) => 1_700_000_000_000 + s * 1000),
        })),
      });
      expect(sent.status).toBe(200);
    }
  }
  const page = await openPage(`/${org}/${slug}`);
  const answers: Array<{ request: Record<string, unknown>; body: { names?: string[]; series: Array<Record<string, unknown>> } }> = [];
  // Requests are counted when the page sends them; answers once parsed (which lags the response).
  let requested = 0;
  page.on('request', (request) => {
    if (request.url().endsWith('/series/query')) requested += 1;
  });
  page.on('response', (response) => {
    if (!response.url().endsWith('/series/query')) return;
    const request = JSON.parse(response.request().postData() ?? '{}');
    void response.json().then((body) => answers.push({ request, body }));
  });
  await page.reload();
  const first = page.getByLabel('chart sec_0/m_0', { exact: true });
  await expect.poll(async () => Number(await first.getAttribute('data-lines'))).toBe(3);

  // The sections come from one answer of 60 names, not 180 summaries.
  const layout = answers.find((a) => a.request.namesOnly);
  expect(layout?.body.names).toHaveLength(60);
  expect(layout?.body.series).toEqual([]);
  // Lines against steps: downsampled, without the buckets' extremes or wall times.
  const lines = answers.flatMap((a) => (a.request.maxPoints ? a.body.series : []));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.every((s) => s.downsampled === true && s.min === undefined && s.times === undefined)).toBe(true);

  // Far down the page, the first section's charts are unmounted; back up, they draw again from the store.
  const section = (n: number) => page.getByLabel(`section sec_${n}`, { exact: true });
  await section(5).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await expect.poll(async () => Number(await page.getByLabel('chart sec_5/m_0', { exact: true }).getAttribute('data-lines'))).toBe(3);
  expect(await section(0).locator('figure').count()).toBe(0);
  // Let the reads for the sections scrolled past settle before counting.
  await expect.poll(() => answers.length).toBe(requested);
  const before = requested;
  await section(0).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await expect.poll(async () => Number(await first.getAttribute('data-lines'))).toBe(3);
  expect(requested).toBe(before);
  await screenshot(page, '33-many-metrics-back-to-top');
  await page.context().close();
});

/** Drags a panel by its handle so that its centre lands on the centre of `onto` (a panel or section locator). */
async function dragPanel(page: Page, title: string, onto: ReturnType<Page['getByLabel']>) {
  const handle = (await page.getByRole('button', { name: `Drag ${title}`, exact: true }).boundingBox())!;
  const from = (await page.getByLabel(`panel ${title}`, { exact: true }).first().boundingBox())!;
  const to = (await onto.boundingBox())!;
  const [x, y] = [handle.x + handle.width / 2, handle.y + handle.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 10, y + 10, { steps: 3 });
  await page.mouse.move(x + to.x + to.width / 2 - (from.x + from.width / 2), y + to.y + to.height / 2 - (from.y + from.height / 2), {
    steps: 12,
  });
  await page.mouse.up();
}

it('panels are dragged within and between sections, moved by keyboard, and the arrangement comes back from the saved view', async () => {
  const page = await openPage(`/${org}/${project}`);
  page.on('dialog', (dialog) => void dialog.accept('Arranged'));
  const order = (name: string) => () =>
    page
      .getByLabel(`section ${name}`, { exact: true })
      .locator('[data-panel]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  await page.getByLabel('panel val/loss', { exact: true }).waitFor();
  await expect.poll(order('metrics')).toEqual(['panel lr', 'panel train/acc', 'panel train/loss', 'panel val/loss']);
  // A second section: a bar panel in "Custom".
  await page.getByRole('button', { name: 'Add panel', exact: true }).click();
  const form = page.getByRole('form', { name: 'Add panel' });
  await form.getByLabel('Panel').selectOption('bar');
  await form.getByLabel('Metric').fill('val/loss');
  await form.getByRole('button', { name: 'Add panel' }).click();
  await expect.poll(order('Custom')).toEqual(['panel val/loss']);

  // Within a section: train/loss dropped onto lr takes its place.
  const metrics = page.getByLabel('section metrics', { exact: true });
  await dragPanel(page, 'train/loss', metrics.getByLabel('panel lr', { exact: true }));
  await expect.poll(order('metrics')).toEqual(['panel train/loss', 'panel lr', 'panel train/acc', 'panel val/loss']);
  // Between sections: train/acc dropped onto the bar panel goes before it.
  await dragPanel(page, 'train/acc', page.getByLabel('section Custom', { exact: true }).getByLabel('panel val/loss', { exact: true }));
  await expect.poll(order('Custom')).toEqual(['panel train/acc', 'panel val/loss']);
  await expect.poll(order('metrics')).toEqual(['panel train/loss', 'panel lr', 'panel val/loss']);
  // The keyboard way: lr moved to the other section with its own control, then one place earlier.
  await metrics.getByRole('combobox', { name: 'Move lr to section' }).selectOption('Custom');
  await expect.poll(order('Custom')).toEqual(['panel train/acc', 'panel val/loss', 'panel lr']);
  await page.getByRole('button', { name: 'Move lr earlier', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(order('Custom')).toEqual(['panel train/acc', 'panel lr', 'panel val/loss']);
  // And the handle from the keyboard: Space lifts val/loss, ArrowLeft carries it over train/loss, Space drops it.
  await expect.poll(order('metrics')).toEqual(['panel train/loss', 'panel val/loss']);
  await metrics.getByRole('button', { name: 'Drag val/loss', exact: true }).focus();
  // The sensor listens for arrows a moment after the lift, and measures the targets once the drag has begun.
  for (const key of ['Space', 'ArrowLeft', 'Space']) {
    await page.keyboard.press(key);
    await page.waitForTimeout(250);
  }
  await expect.poll(order('metrics')).toEqual(['panel val/loss', 'panel train/loss']);
  await screenshot(page, '37-project-panels-arranged');

  const arranged = { Custom: await order('Custom')(), metrics: await order('metrics')() };
  // Reloaded, the page keeps it; saved as the default view, a browser with nothing stored gets it back.
  await page.reload();
  await page.getByLabel('section Custom', { exact: true }).locator('[data-panel]').first().waitFor();
  await expect.poll(order('Custom')).toEqual(arranged.Custom);
  await expect.poll(order('metrics')).toEqual(arranged.metrics);
  await page.getByRole('button', { name: 'Save view' }).click();
  const select = page.getByRole('group', { name: 'Saved views' }).getByRole('combobox');
  await expect.poll(async () => (await select.locator('option').allTextContents()).join('|')).toContain('Arranged (personal)');
  await select.selectOption({ label: 'Arranged (personal)' });
  await page.getByRole('button', { name: 'Make my default' }).click();
  await expect.poll(async () => (await select.locator('option').allTextContents()).join('|')).toContain('Arranged (personal) ★');
  await page.context().close();

  const fresh = await openPage(`/${org}/${project}`);
  expect(await fresh.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('trackbase.panels.')))).toEqual([]);
  const freshOrder = (name: string) => () =>
    fresh
      .getByLabel(`section ${name}`, { exact: true })
      .locator('[data-panel]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  await fresh.getByLabel('section Custom', { exact: true }).locator('[data-panel]').first().waitFor({ timeout: 15_000 });
  await expect.poll(freshOrder('Custom')).toEqual(arranged.Custom);
  await expect.poll(freshOrder('metrics')).toEqual(arranged.metrics);
  await fresh.context().close();
});
