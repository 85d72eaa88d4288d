import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { createHash } from 'node:crypto';
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
async function logTable(owner: TestUser, projectPath: string, run: string, data: unknown[][]) {
  const doc = Buffer.from(JSON.stringify({ format: 'trackbase.table/1', columns: COLUMNS, rowCount: data[0]!.length, data }));
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
