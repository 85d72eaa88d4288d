import { resolve } from 'node:path';
import { Client } from 'pg';
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

const RUNS = 1_200;
/** Pages of 1,000 runs on a shared 2-core machine can take seconds. */
const SLOW = { timeout: 30_000, interval: 250 };

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org)).slug;
  // More runs than one page, seeded in SQL; two of them through the API with metrics.
  const db = new Client({ connectionString: t.databaseUrl });
  await db.connect();
  const [p] = (await db.query(`SELECT id, organization_id FROM projects WHERE slug = $1`, [project])).rows;
  await db.query(
    `INSERT INTO runs (organization_id, project_id, number, name, state, params, tags, created_at)
     SELECT $1, $2, n, 'seeded-' || n, 'finished', jsonb_build_object('lr', (n % 3) / 100.0, 'optimizer', 'adam'),
            ARRAY['a-rather-long-tag-name-that-must-stay-readable'], now() - make_interval(secs => n)
       FROM generate_series(1, $3) n`,
    [p.organization_id, p.id, RUNS],
  );
  await db.query(
    `INSERT INTO series (organization_id, project_id, run_id, kind, name, count, last_step, last_value, min_value, max_value)
     SELECT organization_id, project_id, id, 'metric', 'loss', 10, 9, number / 1000.0, 0, number FROM runs WHERE project_id = $1`,
    [p.id],
  );
  await db.query(`UPDATE projects SET next_run_number = $2 + 1 WHERE id = $1`, [p.id, RUNS]);
  await db.end();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function open(colorScheme: 'light' | 'dark' = 'light', width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept(dialog.message().includes('shared') ? 'Team view' : 'My view'));
  return page;
}

it('pages beyond 1,000 runs with the true count, and keeps the header aligned on horizontal scroll', async () => {
  const page = await open();
  await page.goto(`${t.url}/${org}/${project}`);
  const count = page.getByTestId('run-count');
  await expect.poll(() => count.textContent(), SLOW).toMatch(/^1,200 runs \(1,000 loaded\)/);
  const table = page.getByRole('table', { name: 'Runs' });
  await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect.poll(() => count.textContent(), SLOW).toBe('1,200 runs');
  await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await table.getByRole('row').filter({ hasText: 'seeded-1200' }).waitFor();

  await table.evaluate((el) => (el.scrollTop = 0));
  await table.evaluate((el) => (el.scrollLeft = 250));
  const headers = table.getByRole('columnheader');
  const created = await headers.evaluateAll((all) => all.findIndex((h) => h.textContent?.includes('Created')));
  const header = await headers.nth(created).boundingBox();
  const firstRow = table.getByRole('row').nth(1);
  const cell = await firstRow.getByRole('cell').nth(created).boundingBox();
  expect(Math.abs(header!.x - cell!.x)).toBeLessThan(1);
  await screenshot(page, '40-workspace-scrolled-right');
});

// Checks two boxes back to back: the router applies a URL change in a transition, so on a busy page the
// second click lands before the first has reached the URL; both must stay checked.
it('lists every column in a searchable picker and shows a metric summary with its formatting', async () => {
  const page = await open();
  await page.goto(`${t.url}/${org}/${project}?columns=`);
  await page.getByRole('button', { name: /^Columns/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Choose columns' });
  await expect.poll(() => dialog.textContent(), SLOW).toContain('optimizer');
  await page.getByRole('textbox', { name: 'Search columns' }).fill('los');
  await dialog.getByRole('checkbox', { name: 'loss max' }).check();
  await dialog.getByRole('checkbox', { name: 'loss count' }).check();
  const table = page.getByRole('table', { name: 'Runs' });
  await table.getByRole('columnheader', { name: /metrics\.loss\.max/ }).waitFor();
  await page.getByRole('button', { name: 'Sort by metrics.loss.max' }).click();
  await page.getByRole('button', { name: 'Sort by metrics.loss.max' }).click();
  await expect.poll(async () => (await table.getByRole('row').nth(1).textContent()) ?? '', SLOW).toContain('1,200');
  expect(new URL(page.url()).searchParams.get('columns')).toBe('metrics.loss.max,metrics.loss.count');
  await screenshot(page, '41-workspace-column-picker');
});

it('groups by a param with per-group aggregates and collapses a group', async () => {
  const page = await open();
  await page.goto(`${t.url}/${org}/${project}?columns=metrics.loss.max&group=params.lr`);
  const table = page.getByRole('table', { name: 'Runs' });
  const groups = table.getByRole('row').filter({ hasText: /params\.lr = / });
  // Rows are virtualised: collapsing a group brings the next one on screen.
  for (let i = 0; i < 2; i++) {
    await expect.poll(() => groups.count(), SLOW).toBeGreaterThan(i);
    await expect.poll(async () => (await groups.nth(i).textContent()) ?? '', SLOW).toMatch(/\(\d+ runs\).*±/);
    await groups.nth(i).getByRole('button').click();
    await expect.poll(() => groups.nth(i).getByRole('button').getAttribute('aria-expanded')).toBe('false');
  }
  await expect.poll(() => groups.count(), SLOW).toBe(3);
  await screenshot(page, '44-workspace-grouped');
});

it('saves a personal view, makes it the default and opens it after a reload', async () => {
  const page = await open();
  await page.goto(`${t.url}/${org}/${project}?filter=${encodeURIComponent('params.lr > 0.015')}&columns=params.lr`);
  await expect.poll(() => page.getByTestId('run-count').textContent(), SLOW).toMatch(/^400 runs/);
  await page.getByRole('button', { name: 'Save view' }).click();
  await page.getByRole('button', { name: 'Save shared view' }).click();
  const select = page.getByRole('group', { name: 'Saved views' }).getByRole('combobox');
  await expect
    .poll(async () => (await select.locator('option').allTextContents()).join('|'), SLOW)
    .toMatch(/My view \(personal\).*\|Team view|Team view.*My view/);
  await select.selectOption({ label: 'My view (personal)' });
  await page.getByRole('button', { name: 'Make my default' }).click();
  await expect.poll(async () => (await select.locator('option').allTextContents()).join('|'), SLOW).toContain('My view (personal) ★');

  await page.goto(`${t.url}/${org}/${project}`);
  await expect.poll(() => new URL(page.url()).searchParams.get('filter'), SLOW).toBe('params.lr > 0.015');
  await expect.poll(() => page.getByTestId('run-count').textContent(), SLOW).toMatch(/^400 runs/);
  await screenshot(page, '42-workspace-default-view');
});

it('follows the system dark mode and holds at 768 px', async () => {
  const page = await open('dark', 768);
  await page.goto(`${t.url}/${org}/${project}`);
  await page.getByRole('table', { name: 'Runs' }).getByRole('row').nth(1).waitFor();
  const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const [r, g, b] = background.match(/\d+/g)!.map(Number);
  expect(r! + g! + b!).toBeLessThan(150);
  await screenshot(page, '43-workspace-dark-768');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
