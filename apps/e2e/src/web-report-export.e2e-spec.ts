import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { declaration, sendAll, sha256 } from '@trackbase/api/test/upload-client';
import { launch, screenshot } from './browser';
import { PNG } from './web-helpers';

let t: TestApp;
let browser: Browser;
let owner: TestUser;
let org: string;
let project: string;
let reportId: string;
const runs: Array<{ key: string; name: string }> = [];

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
  owner = await signup(t.url, 'Owner Olga');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private')).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  let seq = 0;
  for (const [i, name] of ['alice-small', 'bob-wide'].entries()) {
    const run = (await owner.api.post(`${projectPath}/runs`, { name, params: { width: 64 * (i + 1), optimizer: i ? 'sgd' : 'adam' } }))
      .body;
    runs.push({ key: run.key, name });
    const steps = Array.from({ length: 30 }, (_, s) => s);
    const sent = await owner.api.post(`${projectPath}/runs/${run.key}/batches`, {
      streamId: 's',
      seq: seq++,
      metrics: [
        {
          name: 'loss',
          steps,
          values: steps.map((s) => (2 - i * 0.5) * Math.exp(-s / 10)),
          times: steps.map((s) => 1_700_000_000_000 + s),
        },
        { name: 'acc', steps, values: steps.map((s) => 1 - Math.exp(-s / 10) / (2 + i)), times: steps.map((s) => 1_700_000_000_000 + s) },
      ],
    });
    expect(sent.status).toBe(200);
    for (const step of [0, 10]) {
      const content = PNG;
      const file = `s${step}.png`;
      const declared = await owner.api.post(`${projectPath}/runs/${run.key}/media/objects`, { files: [declaration(file, content)] });
      await sendAll(owner.api, projectPath, declared.body, { [file]: content });
      const media = [
        {
          key: 'samples',
          step,
          time: Date.now(),
          type: 'image',
          sha256: sha256(content),
          size: content.length,
          caption: `${name}@${step}`,
        },
      ];
      expect((await owner.api.post(`${projectPath}/runs/${run.key}/batches`, { streamId: 'm', seq: seq++, media })).status).toBe(200);
    }
  }
  // Thumbnails are made in the background; the export embeds them.
  for (let attempt = 0; attempt < 600; attempt++) {
    const states = await Promise.all(
      runs.map(async (r) =>
        (await owner.api.get(`${projectPath}/runs/${r.key}/media?key=samples`)).body.items.map(
          (x: { thumbnailState: string }) => x.thumbnailState,
        ),
      ),
    );
    if (states.flat().every((s) => s === 'ready')) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  const created = await owner.api.post(`/orgs/${org}/reports`, {
    title: 'Width study',
    blocks: [
      {
        id: 'intro',
        type: 'text',
        markdown:
          '# Wider is better\n\nThe **wide** net wins.\n\n<script>window.__pwned = 1</script>\n\n<img src="x" onerror="window.__pwned = 2">',
      },
      { id: 'loss', type: 'line', runSet: { project, filter: '' }, metrics: ['loss'] },
    ],
  });
  expect(created.status).toBe(201);
  reportId = created.body.id;
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  return context.newPage();
}

/** Adds a panel in the editor and turns it into `kind` with its fields. */
async function addPanel(page: Page, kind: string, fields: Record<string, string>, selects: Record<string, string> = {}) {
  const editor = page.getByRole('form', { name: 'Edit report' });
  await editor.getByRole('button', { name: 'Add panel' }).click();
  await editor
    .getByLabel(/^Kind of block/)
    .last()
    .selectOption({ label: kind });
  for (const [label, value] of Object.entries(selects))
    await editor
      .getByLabel(new RegExp(`^${label} of block`))
      .last()
      .selectOption(value);
  for (const [label, value] of Object.entries(fields)) {
    const input = editor.getByLabel(new RegExp(`^${label} of block`)).last();
    await input.fill(value);
    await input.blur();
  }
}

it('adds scatter, parallel-coordinates and media panels in the editor, and each renders', async () => {
  const page = await signedIn();
  await page.goto(`${t.url}/${org}/reports/${reportId}?edit=1`);
  await addPanel(page, 'Scatter plot', { X: 'width', Y: 'loss' }, { 'Y kind': 'metric' });
  await addPanel(page, 'Parallel coordinates', { Params: 'width, optimizer', Metrics: 'acc' });
  await addPanel(page, 'Media', { 'Media keys': 'samples' });
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}$/);

  const scatter = page.locator('figure.report-panel[data-type="scatter"]');
  await expect.poll(async () => Number(await scatter.getByLabel('chart loss vs width').getAttribute('data-lines'))).toBe(2);
  const parallel = page.locator('figure.report-panel[data-type="parallel"]');
  await expect.poll(() => parallel.locator('polyline').count()).toBe(2);
  const media = page.locator('figure.report-panel[data-type="media"]');
  await expect.poll(() => media.locator('img').count()).toBe(2);
  await expect.poll(() => media.getByLabel('Shown step').innerText()).toBe('10');
  // The slider moves every run to its latest step at or before the one chosen.
  await media.getByLabel(/^Step of panel/).fill('0');
  await expect.poll(() => media.getByText('step 0').count()).toBe(2);
  await media.locator('img').first().scrollIntoViewIfNeeded();
  await screenshot(page, 'report-new-panels');

  const saved = (await owner.api.get(`/orgs/${org}/reports/${reportId}`)).body;
  expect(saved.blocks.map((b: { type: string }) => b.type)).toEqual(['text', 'line', 'scatter', 'parallel', 'media']);
  expect(saved.blocks[2]).toMatchObject({ x: { kind: 'param', name: 'width' }, y: { kind: 'metric', name: 'loss' } });
});

it('downloads the report as one HTML file that shows its charts offline, with no script', async () => {
  const page = await signedIn();
  await page.goto(`${t.url}/${org}/reports/${reportId}`);
  await page.getByRole('heading', { name: 'Wider is better' }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download HTML' }).click()]);
  expect(download.suggestedFilename()).toBe('Width-study.html');
  const file = join(mkdtempSync(join(tmpdir(), 'tb-export-')), 'Width-study.html');
  await download.saveAs(file);
  expect(readFileSync(file, 'utf8')).toContain('<svg class="chart"');

  // A browser without a network: every request is aborted and counted; nothing may be asked for.
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, offline: true });
  const requested: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    requested.push(route.request().url());
    return route.abort();
  });
  const offline = await context.newPage();
  const errors: string[] = [];
  offline.on('pageerror', (e) => errors.push(String(e)));
  offline.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && requested.push(r.url()));
  await offline.goto(pathToFileURL(file).href);
  await offline.getByRole('heading', { name: 'Wider is better' }).waitFor();
  // Each chart is drawn: the line chart's two runs, the scatter's two dots, the parallel lines, the media images.
  expect(await offline.locator('section[data-block="loss"] svg polyline.series').count()).toBe(2);
  expect(await offline.locator('section[data-type="scatter"] svg circle.dot').count()).toBe(2);
  expect(await offline.locator('section[data-type="parallel"] svg polyline.series').count()).toBe(2);
  const box = await offline.locator('section[data-block="loss"] svg').boundingBox();
  expect(box!.width).toBeGreaterThan(300);
  const images = offline.locator('section[data-type="media"] img');
  expect(await images.count()).toBe(2);
  for (const img of await images.all()) expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  // The Markdown's script did not survive, and nothing ran.
  expect(await offline.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await offline.locator('script').count()).toBe(0);
  expect(requested).toEqual([]);
  expect(errors).toEqual([]);
  await screenshot(offline, 'report-export-offline');
  await context.close();
});

it('downloads the same file from a share link, without an account', async () => {
  expect((await owner.api.post(`/orgs/${org}/reports/${reportId}/publish`, {})).status).toBe(201);
  const link = await owner.api.post(`/orgs/${org}/reports/${reportId}/share-links`, {});
  expect(link.status).toBe(201);
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${t.url}/shared/reports/${encodeURIComponent(link.body.token)}`);
  await page.getByRole('heading', { name: 'Wider is better' }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download HTML' }).click()]);
  expect(download.suggestedFilename()).toBe('Width-study.html');
  const file = join(mkdtempSync(join(tmpdir(), 'tb-export-')), 'Width-study.html');
  await download.saveAs(file);
  const html = readFileSync(file, 'utf8');
  expect(html).toContain('<svg class="chart"');
  expect(html).not.toContain('<script');
  await context.close();
});
