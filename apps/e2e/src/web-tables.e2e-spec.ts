import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { declaration, sendAll } from '@trackbase/api/test/upload-client';
import { createHash } from 'node:crypto';
import { encodePng } from '@trackbase/sdk';
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

const COLUMNS = [
  { name: 'id', type: 'number' },
  { name: 'label', type: 'string' },
  { name: 'score', type: 'number' },
];

/** Logs a table the way the SDKs do: declare, upload the document, declare again. */
async function logTable(owner: TestUser, projectPath: string, run: string, data: unknown[][], columns = COLUMNS, annotations?: unknown) {
  const doc = Buffer.from(JSON.stringify({ format: 'trackbase.table/1', columns, rowCount: data[0]!.length, data, annotations }));
  const declaration = { tables: [{ key: 'preds', step: 1, size: doc.length, sha256: createHash('sha256').update(doc).digest('hex') }] };
  const first = await owner.api.post(`${projectPath}/runs/${run}/tables`, declaration);
  const plan = first.body.tables[0].upload;
  expect(plan.method).toBe('single');
  expect((await fetch(plan.url, { method: 'PUT', headers: plan.headers, body: new Uint8Array(doc) })).status).toBe(200);
  expect((await owner.api.post(`${projectPath}/uploads/${plan.uploadId}/complete`)).status).toBe(200);
  const ready = await owner.api.post(`${projectPath}/runs/${run}/tables`, declaration);
  expect(ready.body.tables[0].state).toBe('ready');
}

async function column(page: Page, label: string, index: number): Promise<string[]> {
  const rows = page.getByRole('table', { name: label }).locator('tbody tr');
  return rows.evaluateAll((trs, i) => trs.map((tr) => (tr.children[i] as HTMLElement).innerText), index);
}

it('a logged table sorts by a clicked header, filters with the filter language, and compares two runs joined on a column', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const a = (await owner.api.post(`${projectPath}/runs`, { name: 'a' })).body.key;
  const b = (await owner.api.post(`${projectPath}/runs`, { name: 'b' })).body.key;
  const ids = Array.from({ length: 120 }, (_, i) => i);
  await logTable(owner, projectPath, a, [ids, ids.map((i) => (i % 2 ? 'dog' : 'cat')), ids.map((i) => i / 100)]);
  await logTable(owner, projectPath, b, [
    [5, 1, 200],
    ['cat', 'dog', 'emu'],
    [0.5, 0.25, 0.75],
  ]);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/runs/${a}?tab=tables`);
  const grid = page.getByRole('table', { name: 'table preds' });
  await grid.locator('tbody tr').first().waitFor();
  expect(await grid.locator('tbody tr').count()).toBe(50);
  await expect.poll(() => page.getByLabel('rows shown').textContent()).toBe('1–50 of 120');

  await grid.getByRole('button', { name: 'sort by score' }).click();
  await grid.getByRole('button', { name: 'sort by score' }).click();
  await expect.poll(async () => (await column(page, 'table preds', 0)).slice(0, 3)).toEqual(['119', '118', '117']);

  await page.getByRole('textbox', { name: 'filter rows' }).fill('label = "cat" AND id < 10');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(() => column(page, 'table preds', 0)).toEqual(['8', '6', '4', '2', '0']);
  await expect.poll(() => page.getByLabel('rows shown').textContent()).toBe('1–5 of 5');

  await page.getByRole('textbox', { name: 'filter rows' }).fill('nope = 1');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join(' ')).toMatch(/unknown column "nope"/);

  await page.getByRole('textbox', { name: 'filter rows' }).fill('label = "cat"');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(() => page.getByLabel('rows shown').textContent()).toBe('1–50 of 60');
  await page.getByRole('button', { name: 'Column statistics' }).click();
  const stats = page.getByRole('table', { name: 'column statistics' });
  await expect
    .poll(async () => (await stats.locator('tbody tr').first().innerText()).split('\t').map((c) => c.trim()))
    .toEqual(['id', 'number', '0', '60', '0', '118', '59', expect.any(String)]);
  await screenshot(page, 'run-table');

  await page.goto(`${t.url}/${org}/${project}/compare?runs=${a},${b}`);
  const compared = page.getByRole('table', { name: 'compared table preds' });
  await compared.locator('tbody tr').first().waitFor();
  const rowsOf = async () => (await compared.locator('tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
  const first = (await rowsOf()).slice(0, 2);
  expect(first[0]).toEqual(['0', 'cat', '0', '—', '—']);
  expect(first[1]).toEqual(['1', 'dog', '0.01', 'dog', '0.25']);
  await expect.poll(async () => (await compared.locator('thead').innerText()).includes(b)).toBe(true);
  await screenshot(page, 'compare-tables');
});

it('image and audio cells show as thumbnails and players, follow sorts and filters, and load nothing but their own objects', async () => {
  const owner = await signup(t.url, 'Media owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const run = (await owner.api.post(`${projectPath}/runs`, { name: 'media' })).body.key;
  const solid = (width: number, height: number, rgb: [number, number, number]) =>
    encodePng(
      Uint8Array.from({ length: width * height * 3 }, (_, i) => rgb[i % 3]!),
      width,
      height,
      3,
    );
  const red = solid(640, 320, [220, 0, 0]);
  const blue = solid(20, 10, [0, 0, 220]);
  const wav = Buffer.alloc(44 + 16000);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + 16000, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(16000, 40);
  const contents = { 'red.png': red, 'blue.png': blue, 'clip.wav': wav };
  const declared = await owner.api.post(`${projectPath}/runs/${run}/media/objects`, {
    files: Object.entries(contents).map(([name, c]) => declaration(name, c)),
  });
  await sendAll(owner.api, projectPath, declared.body, contents);
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  await logTable(
    owner,
    projectPath,
    run,
    [
      [1, 2, 3],
      [digest(red), digest(blue), null],
      [digest(wav), null, digest(wav)],
    ],
    [
      { name: 'id', type: 'number' },
      { name: 'img', type: 'image' },
      { name: 'clip', type: 'audio' },
    ],
  );

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(`${t.url}/${org}/${project}/runs/${run}?tab=tables`);
  const grid = page.getByRole('table', { name: 'table preds' });
  await grid.locator('tbody tr').first().waitFor();
  const images = () =>
    grid.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const img = tr.children[1]!.querySelector('img');
        return img ? { alt: img.alt, loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth } : null;
      }),
    );
  // The 640×320 image shows as the server's 256-px thumbnail, the small one as its own (never enlarged).
  await expect
    .poll(images)
    .toEqual([{ alt: 'image 640×320', loaded: true, width: 256 }, { alt: 'image 20×10', loaded: true, width: 20 }, null]);
  const players = await grid.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => !!tr.children[2]!.querySelector('audio[src]')));
  expect(players).toEqual([true, false, true]);

  await grid.getByRole('button', { name: 'sort by id' }).click();
  await grid.getByRole('button', { name: 'sort by id' }).click();
  await expect.poll(async () => (await images()).map((i) => i?.alt ?? null)).toEqual([null, 'image 20×10', 'image 640×320']);
  await screenshot(page, 'table-media-cells');

  await page.getByRole('textbox', { name: 'filter rows' }).fill('img IS NULL');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(() => column(page, 'table preds', 0)).toEqual(['3']);
  // Everything the page loaded came from the app's own origin (the local store's signed URLs included).
  expect(requested.filter((u) => !u.startsWith(t.url) && !u.startsWith('data:'))).toEqual([]);
});

it('an image cell draws its boxes and caption; a class toggle above the table hides that class in every cell', async () => {
  const owner = await signup(t.url, 'Boxes owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const run = (await owner.api.post(`${projectPath}/runs`, { name: 'boxes' })).body.key;
  const img = encodePng(
    Uint8Array.from({ length: 64 * 32 * 3 }, (_, i) => [40, 160, 90][i % 3]!),
    64,
    32,
    3,
  );
  const declared = await owner.api.post(`${projectPath}/runs/${run}/media/objects`, { files: [declaration('i.png', img)] });
  await sendAll(owner.api, projectPath, declared.body, { 'i.png': img });
  const digest = createHash('sha256').update(img).digest('hex');
  const boxes = (score: number) => ({
    pred: {
      coordinates: 'fraction',
      format: 'xyxy',
      classNames: { '0': 'cat', '1': 'dog' },
      boxes: [
        { box: [0.1, 0.1, 0.4, 0.9], classId: 0, score },
        { box: [0.5, 0.1, 0.9, 0.9], classId: 1, score },
      ],
    },
  });
  await logTable(
    owner,
    projectPath,
    run,
    [
      [1, 2],
      [`${digest}#0`, `${digest}#1`],
    ],
    [
      { name: 'id', type: 'number' },
      { name: 'img', type: 'image' },
    ],
    {
      img: [
        { caption: 'first sample', boxes: boxes(0.9) },
        { caption: 'second sample', boxes: boxes(0.4) },
      ],
    },
  );

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/runs/${run}?tab=tables`);
  const grid = page.getByRole('table', { name: 'table preds' });
  await expect.poll(() => grid.locator('figcaption').allTextContents(), { timeout: 20_000 }).toEqual(['first sample', 'second sample']);
  await expect.poll(() => grid.locator('.box[data-class="cat"]').count()).toBe(2);
  expect(await grid.locator('.box[data-class="dog"]').count()).toBe(2);
  await screenshot(page, 'table-boxes');
  await page.getByLabel('pred: cat').uncheck();
  await expect.poll(() => grid.locator('.box[data-class="cat"]').count()).toBe(0);
  expect(await grid.locator('.box[data-class="dog"]').count()).toBe(2);
  await screenshot(page, 'table-boxes-cat-hidden');
  await context.close();
}, 120_000);
