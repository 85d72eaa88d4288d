import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
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

it('a comment with a mention on a report reaches the mentioned person, who sees the notification', async () => {
  const org = (await createOrg(owner)).slug;
  const mentioned = await addOrgMember(owner, org, 'member', 'Mia Mentioned');
  const report = (
    await owner.api.post(`/orgs/${org}/reports`, { title: 'Notes for Mia', blocks: [{ id: 'n', type: 'text', markdown: 'Plain notes' }] })
  ).body;
  const ownerPage = await signedIn(owner);
  await ownerPage.goto(`${t.url}/${org}/reports/${report.id}`);
  const composer = ownerPage.getByRole('form', { name: 'New comment' });
  await ownerPage.getByLabel('Comment on').selectOption({ label: 'text “Plain notes”' });
  await composer.getByLabel('New comment').fill('Please check this, ');
  await composer.getByLabel('Mention').selectOption({ label: 'Mia Mentioned' });
  await composer.getByRole('button', { name: 'Comment' }).click();
  const thread = ownerPage.getByLabel('Report comments');
  await expect.poll(() => thread.textContent(), { timeout: 30_000 }).toContain('Please check this, @Mia Mentioned');
  await screenshot(ownerPage, 'report-comment-mention');

  const miaPage = await signedIn(mentioned);
  await miaPage.goto(`${t.url}/notifications`);
  const list = miaPage.getByRole('list', { name: 'Notifications' });
  await expect.poll(() => list.textContent(), { timeout: 30_000 }).toContain('Owner Olga mentioned you in the report Notes for Mia');
  await screenshot(miaPage, 'report-comment-notification');
  await ownerPage.context().close();
  await miaPage.context().close();
});

async function signedIn(user: TestUser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(user.tokens));
  return context.newPage();
}
