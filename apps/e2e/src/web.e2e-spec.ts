import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { init } from '@trackbase/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

// Drives the built web app (apps/web/dist, built by `npm test` before the tests) in
// Debian's Chromium against the real API and database, as a person would.
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

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

async function signUp(page: Page, name: string, email: string, next = '/') {
  await page.goto(`${t.url}/signup?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Sign up' }).click();
}

it('a team signs up, logs runs, watches a chart grow live, compares runs and shares with a read-only viewer', async () => {
  const page = await newPage();
  const stamp = Date.now();
  await signUp(page, 'Ada', `ada-${stamp}@example.com`);
  await page.getByRole('heading', { name: 'Organizations' }).waitFor();
  await screenshot(page, '01-organizations');

  await page.getByLabel('New organization').fill(`Lab ${stamp}`);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await page.getByLabel('New project').fill('Vision');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByText('No runs yet').waitFor();
  const [, org, project] = new URL(page.url()).pathname.split('/');
  expect(project).toBe('vision');

  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByLabel('Key name').fill('e2e');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!;
  expect(key).toMatch(/^tbk_/);
  await screenshot(page, '02-account-api-keys');

  // Runs logged through the SDK with the key made in the browser.
  const sdkOptions = { url: t.url, apiKey: key, project: `${org}/${project}`, dir: mkdtempSync(join(tmpdir(), 'tb-web-e2e-')), systemMetricsIntervalMs: 0, context: false as const, exitHandlers: false, log: () => undefined };
  const first = await init({ ...sdkOptions, mode: 'sync', name: 'baseline', params: { optimizer: { name: 'adam', lr: 0.001 } } });
  const second = await init({ ...sdkOptions, mode: 'sync', name: 'bigger-lr', params: { optimizer: { name: 'adam', lr: 0.01 } } });
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const log = async (run: typeof first, from: number) => {
    for (let step = from; step < from + 3; step++) await run.log({ 'train/loss': 1 / (step + 1) }, step);
  };
  await log(first, 0);
  await log(second, 0);

  await page.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await page.getByRole('tab', { name: 'charts' }).click();
  const chart = page.getByLabel('chart train/loss');
  await chart.waitFor();
  await expect.poll(() => chart.getAttribute('data-points')).toBe('3');
  for (let batch = 1; batch <= 3; batch++) await log(first, batch * 3);
  await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).toBe('12');
  await screenshot(page, '03-run-charts-live');

  await page.goto(`${t.url}/${org}/${project}`);
  await page.getByRole('row').filter({ hasText: 'baseline' }).waitFor();
  await screenshot(page, '04-runs-table');
  await page.getByLabel(`Select ${first.key!}`).check();
  await page.getByLabel(`Select ${second.key}`).check();
  await page.getByRole('button', { name: /Compare/ }).click();
  const diff = page.getByRole('table', { name: 'Differences' });
  await diff.getByText('params.optimizer.lr').waitFor();
  await expect.poll(() => diff.locator('tr.differs').count()).toBeGreaterThan(0);
  await screenshot(page, '05-compare');

  await page.goto(`${t.url}/${org}/settings`);
  await page.getByLabel('Email').fill(`viewer-${stamp}@example.com`);
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = (await page.getByTestId('invitation-link').textContent())!;
  await screenshot(page, '06-org-settings');

  const viewerPage = await newPage();
  await signUp(viewerPage, 'Vic', `viewer-${stamp}@example.com`, new URL(link).pathname);
  await viewerPage.getByRole('button', { name: 'Accept invitation' }).click();
  await viewerPage.getByRole('heading', { name: `Lab ${stamp}` }).waitFor();
  // The project is private: the owner makes the new member a viewer of it.
  await page.goto(`${t.url}/${org}/${project}/settings`);
  await page.getByLabel('Organization member').selectOption({ label: `Vic (viewer-${stamp}@example.com)` });
  await page.getByRole('button', { name: 'Add to project' }).click();
  await page.getByLabel('Project role of Vic').waitFor();

  await viewerPage.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await viewerPage.getByRole('tab', { name: 'overview' }).waitFor();
  await viewerPage.getByText('Tags:').waitFor();
  expect(await viewerPage.getByRole('form', { name: 'Edit run' }).count()).toBe(0);
  expect(await viewerPage.getByRole('button', { name: 'Save' }).count()).toBe(0);
  await screenshot(viewerPage, '07-viewer-run-overview');
  await viewerPage.goto(`${t.url}/${org}/${project}/settings`);
  await viewerPage.getByRole('heading', { name: 'Members' }).waitFor();
  expect(await viewerPage.getByRole('form', { name: 'Add project member' }).count()).toBe(0);
  expect(await viewerPage.getByRole('button', { name: 'Remove' }).count()).toBe(0);
  // The API refuses what the UI does not offer.
  const viewerApi = new ApiClient(t.url, await viewerPage.evaluate(() => JSON.parse(localStorage.getItem('trackbase.session')!).accessToken));
  expect((await viewerApi.patch(`${runs}/${first.key}`, { notes: 'sneaky' })).status).toBe(403);

  // The owner comments with a mention of the viewer, who finds it in the inbox.
  await page.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await page.getByRole('tab', { name: 'comments' }).click();
  const composer = page.getByRole('form', { name: 'New comment' });
  await composer.getByLabel('New comment').fill('Great curve, please check ');
  await composer.getByLabel('Mention').selectOption({ label: 'Vic' });
  await composer.getByRole('button', { name: 'Comment' }).click();
  await page.getByText('@Vic').waitFor();
  await screenshot(page, '08-run-comments');
  await viewerPage.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await viewerPage.getByRole('tab', { name: 'comments' }).click();
  await viewerPage.getByText('@Vic').waitFor();
  expect(await viewerPage.getByRole('form', { name: 'New comment' }).count()).toBe(0);
  await viewerPage.getByRole('link', { name: /Notifications, 1 unread/ }).click();
  await viewerPage.getByRole('list', { name: 'Notifications' }).getByText('mentioned you').waitFor();
  await screenshot(viewerPage, '09-notifications');
});
