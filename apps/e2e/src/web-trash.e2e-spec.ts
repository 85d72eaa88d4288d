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

it('the Trash page lists a deleted run and Restore brings it back to the runs table', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const base = `/orgs/${org}/projects/${project}`;
  const kept = (await owner.api.post(`${base}/runs`, { name: 'kept-run' })).body;
  const doomed = (await owner.api.post(`${base}/runs`, { name: 'deleted-by-mistake' })).body;
  expect((await owner.api.delete(`${base}/runs/${doomed.key}`)).status).toBe(204);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}`);
  const runsTable = page.getByRole('table', { name: 'Runs' });
  await runsTable.getByRole('row').filter({ hasText: kept.name }).waitFor();
  expect(await runsTable.getByRole('row').filter({ hasText: 'deleted-by-mistake' }).count()).toBe(0);

  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Trash' }).click();
  const trash = page.getByRole('table', { name: 'Trash' });
  await trash.getByRole('cell', { name: `${doomed.key} (deleted-by-mistake)`, exact: true }).waitFor();
  await screenshot(page, 'web-trash');
  await trash.getByRole('button', { name: `Restore ${doomed.key} (deleted-by-mistake)` }).click();
  await page.getByText('The trash is empty.').waitFor();

  expect((await owner.api.get(`${base}/runs/${doomed.key}`)).status).toBe(200);
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Runs' }).click();
  await runsTable.getByRole('row').filter({ hasText: 'deleted-by-mistake' }).waitFor();
  await context.close();
});

it('the Trash page lists a deleted artifact and restores it, and shows and switches the retention schedule', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const base = `/orgs/${org}/projects/${project}`;
  await owner.api.put(`${base}/retention`, { keepLastVersions: 2 });
  const made = await owner.api.post(`${base}/artifacts/tokenizer/versions`, {
    kind: 'dataset',
    reference: { uri: 's3://bucket/tokenizer', digest: 'd1' },
  });
  expect(made.status).toBe(201);
  expect((await owner.api.delete(`${base}/artifacts/tokenizer`)).status).toBe(204);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/trash`);
  const trash = page.getByRole('table', { name: 'Trash' });
  const row = trash.getByRole('row').filter({ hasText: 'tokenizer' });
  await row.waitFor();
  expect(await row.getByText('Artifact', { exact: true }).count()).toBe(1);

  const schedule = page.getByRole('combobox', { name: 'Retention schedule' });
  await page.getByText('keep the newest 2 versions of each artifact (aliased ones stay)').waitFor();
  expect(await schedule.inputValue()).toBe('manual');
  await schedule.selectOption('daily');
  await page.getByTestId('retention-times').getByText('next:').waitFor();
  const policy = (await owner.api.get(`${base}/retention`)).body;
  expect(policy).toMatchObject({ keepLastVersions: 2, schedule: 'daily' });
  expect(policy.nextApplyAt).not.toBeNull();
  await screenshot(page, 'web-trash-artifact-schedule');

  await trash.getByRole('button', { name: 'Restore tokenizer' }).click();
  await page.getByText('The trash is empty.').waitFor();
  expect((await owner.api.get(`${base}/artifacts/tokenizer`)).status).toBe(200);
  await context.close();
});
