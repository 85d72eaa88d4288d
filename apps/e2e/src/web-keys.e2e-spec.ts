import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient, createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

// The built web app (apps/web/dist) in Chromium: a scoped API key made on the Account page and copied with its
// button, and a sign-up with an email that already has an account.
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

async function pageAs(user: TestUser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  await context.addInitScript((session) => {
    if (!localStorage.getItem('trackbase.session')) localStorage.setItem('trackbase.session', session);
  }, JSON.stringify(user.tokens));
  return context.newPage();
}

it('creates a read-only key limited to one project, copies it with the button, and the key reaches only that project', async () => {
  const owner = await signup(t.url, 'Ada');
  const org = await createOrg(owner);
  const vision = await createProject(owner, org.slug, 'org', 'vision');
  const other = await createProject(owner, org.slug, 'org', 'speech');
  const page = await pageAs(owner);
  await page.goto(`${t.url}/account`);
  await page.getByLabel('Key name').fill('dashboard reader');
  await page.getByLabel('Key access').selectOption('read');
  await page.getByLabel('Key organization').selectOption(org.slug);
  await page.getByLabel(vision.name).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const shown = (await page.getByTestId('new-api-key').textContent())!;
  expect(shown).toMatch(/^tbk_/);
  await page.getByRole('button', { name: 'Copy key to clipboard' }).click();
  await page.getByRole('button', { name: 'Copy key to clipboard' }).getByText('Copied').waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
  await page.getByRole('cell', { name: `read-only · ${org.slug}/vision` }).waitFor();
  await screenshot(page, 'web-keys-01-scoped-key');

  // Another sign-in of the same person is listed, and ended from here.
  const elsewhere = await new ApiClient(t.url).post('/auth/login', { email: owner.email, password: owner.password });
  await page.reload();
  await page.getByRole('button', { name: 'End session' }).click();
  await page.getByRole('button', { name: 'End session' }).waitFor({ state: 'detached' });
  expect((await new ApiClient(t.url, elsewhere.body.accessToken).get('/users/me')).status).toBe(401);

  const withKey = new ApiClient(t.url, shown);
  expect((await withKey.get(`/orgs/${org.slug}/projects/${vision.slug}/runs`)).status).toBe(200);
  expect((await withKey.post(`/orgs/${org.slug}/projects/${vision.slug}/runs`, {})).status).toBe(403);
  expect((await withKey.get(`/orgs/${org.slug}/projects/${other.slug}/runs`)).status).toBe(404);
});

it('signing up with an email that has an account says to sign in, and leaves the account as it was', async () => {
  const existing = await signup(t.url, 'Grace');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${t.url}/signup`);
  await page.getByLabel('Name').fill('Impostor');
  await page.getByLabel('Email').fill(existing.email);
  await page.getByLabel('Password').fill('a different long password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  const notice = page.getByRole('status');
  await notice.waitFor();
  expect(await notice.textContent()).toContain('already has an account, it was left as it is');
  await screenshot(page, 'web-keys-02-signup-existing-email');
  expect(new URL(page.url()).pathname).toBe('/signup');
  expect((await existing.api.get('/users/me')).body.name).toBe('Grace');

  // A free email signs up and lands signed in, as before.
  await page.getByLabel('Name').fill('New Person');
  await page.getByLabel('Email').fill(`new-${Date.now()}@example.com`);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Organizations' }).waitFor();
});
