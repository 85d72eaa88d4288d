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

it('the runs table filters with the filter language, explains a bad filter, sorts by a metric, and keeps the view in the URL', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const lrs = { 'lr-small': 0.0001, 'lr-mid': 0.001, 'lr-big': 0.1 };
  const losses = { 'lr-small': 0.5, 'lr-mid': 0.2, 'lr-big': 0.9 };
  for (const [name, lr] of Object.entries(lrs)) {
    const run = (await owner.api.post(runs, { name, params: { lr } })).body;
    const batch = await owner.api.post(`${runs}/${run.key}/batches`, {
      streamId: 's',
      seq: 0,
      metrics: [{ name: 'loss', steps: [0], values: [losses[name as keyof typeof losses]], times: [Date.now()] }],
    });
    expect(batch.status).toBe(200);
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}`);
  const table = page.getByRole('table', { name: 'Runs' });
  await table.getByRole('row').filter({ hasText: 'lr-big' }).waitFor();
  const names = async () =>
    (await table.getByRole('row').allTextContents()).map((text) => Object.keys(lrs).find((n) => text.includes(n))).filter(Boolean);

  const search = page.getByRole('search', { name: 'Filter runs' });
  await search.getByRole('textbox').fill('params.lr < 0.01 AND');
  await search.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join(' ')).toMatch(/filter/i);

  await search.getByRole('textbox').fill('params.lr < 0.01');
  await search.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(async () => (await names()).sort(), { timeout: 30_000 }).toEqual(['lr-mid', 'lr-small']);
  expect(new URL(page.url()).searchParams.get('filter')).toBe('params.lr < 0.01');

  await page.getByRole('button', { name: /^Columns/ }).click();
  await page.getByRole('textbox', { name: 'Search columns' }).fill('loss');
  await page.getByRole('checkbox', { name: 'loss last' }).check();
  await page.getByRole('button', { name: /^Columns/ }).click();
  const sortButton = page.getByRole('button', { name: /^Sort by .*loss/ });
  await sortButton.click();
  await expect.poll(names, { timeout: 30_000 }).toEqual(['lr-mid', 'lr-small']);
  await sortButton.click();
  await expect.poll(names, { timeout: 30_000 }).toEqual(['lr-small', 'lr-mid']);
  await screenshot(page, '18-runs-filtered-and-sorted');

  // The view is in the URL: a reload (or a shared link) shows the same table.
  await page.reload();
  await expect.poll(names, { timeout: 30_000 }).toEqual(['lr-small', 'lr-mid']);
});
