import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

let t: TestApp;
let browser: Browser;
let owner: TestUser;

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
  owner = await signup(t.url, 'Owner Olga');
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('a shared report opened without an account updates live when a point is logged, and says so when its link is revoked', async () => {
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private')).slug;
  const base = `/orgs/${org}/projects/${project}/runs`;
  const run = (await owner.api.post(base, { name: 'live-run' })).body;
  const log = (seq: number, step: number, value: number) =>
    owner.api.post(`${base}/${run.key}/batches`, {
      streamId: 's',
      seq,
      metrics: [{ name: 'loss', steps: [step], values: [value], times: [1_700_000_000_000 + step] }],
    });
  expect((await log(0, 0, 0.5)).status).toBe(200);
  const reports = `/orgs/${org}/reports`;
  const report = (
    await owner.api.post(reports, {
      title: 'Live study',
      blocks: [{ id: 'table', type: 'runs', runSet: { project, runs: [run.id] }, metrics: ['loss'] }],
    })
  ).body;
  expect((await owner.api.post(`${reports}/${report.id}/publish`)).status).toBe(201);
  const link = (await owner.api.post(`${reports}/${report.id}/share-links`, {})).body;

  // A fresh browser context: no session at all, only the link.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${t.url}/shared/reports/${link.token}`);
  const panel = page.getByRole('figure', { name: 'Panel Runs' });
  await expect.poll(() => panel.textContent(), { timeout: 30_000 }).toContain('0.5');
  // The panel follows the run over the link's socket once its data is read; a point logged before that follow
  // is not pushed, so points are logged until one shows (the page itself never polls a shared panel).
  let shown = false;
  for (let seq = 1; seq <= 10 && !shown; seq++) {
    expect((await log(seq, seq, 0.125)).status).toBe(200);
    shown = await panel
      .getByText('0.125')
      .first()
      .waitFor({ timeout: 5_000 })
      .then(
        () => true,
        () => false,
      );
  }
  expect(shown).toBe(true);
  await screenshot(page, 'shared-report-live');

  expect((await owner.api.delete(`${reports}/${report.id}/share-links/${link.id}`)).status).toBe(204);
  await expect
    .poll(
      () =>
        page
          .getByRole('alert')
          .first()
          .textContent()
          .catch(() => ''),
      { timeout: 30_000 },
    )
    .toMatch(/revoked|expired/);
  await screenshot(page, 'shared-report-revoked');
  await context.close();
});
