import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addOrgMember, createOrg, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

// The built web app in Chromium: an owner creates a SCIM token in the organization's settings and copies it with
// its button; a member deletes their account from the account page, with its confirmation.
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

it('an owner creates a SCIM token, copies it, and the provider reaches the SCIM base URL with it; revoking it ends that', async () => {
  const owner = await signup(t.url, 'Ada');
  const org = await createOrg(owner);
  const page = await pageAs(owner);
  await page.goto(`${t.url}/${org.slug}/settings`);
  await page.getByRole('heading', { name: 'SCIM provisioning' }).waitFor();
  await page.getByLabel('Token name').fill('okta');
  await page.getByRole('button', { name: 'Create SCIM token' }).click();
  const shown = (await page.getByTestId('new-scim-token').textContent())!;
  expect(shown).toMatch(/^tbscim_/);
  await page.getByRole('button', { name: 'Copy token to clipboard' }).click();
  await page.getByRole('button', { name: 'Copy token to clipboard' }).getByText('Copied').waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
  await page.getByRole('table', { name: 'SCIM tokens' }).getByText('okta').waitFor();
  await screenshot(page, 'web-scim-01-token');

  const users = () => fetch(`${t.url}/scim/v2/${org.slug}/Users`, { headers: { authorization: `Bearer ${shown}` } });
  expect((await users()).status).toBe(200);
  await page.getByRole('table', { name: 'SCIM tokens' }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('table', { name: 'SCIM tokens' }).getByText('revoked').waitFor();
  expect((await users()).status).toBe(401);
});

it('a member deletes their account after confirming with their email and password', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = await createOrg(owner);
  const member = await addOrgMember(owner, org.slug, 'member', 'Grace');
  const page = await pageAs(member);
  await page.goto(`${t.url}/account`);
  await page.getByRole('button', { name: 'Delete my account…' }).click();
  const form = page.getByRole('form', { name: 'Delete account' });
  await form.getByLabel(/Type your email/).fill(member.email);
  await form.getByLabel(/Password/).fill('not the password');
  await form.getByRole('button', { name: 'Delete my account for good' }).click();
  await form.getByText('the password is wrong').waitFor();
  await screenshot(page, 'web-account-01-delete-refused');
  expect((await member.api.get('/users/me')).status).toBe(200);

  await form.getByLabel(/Password/).fill(member.password);
  await form.getByRole('button', { name: 'Delete my account for good' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  await screenshot(page, 'web-account-02-deleted');
  expect((await member.api.get('/users/me')).status).toBe(401);
  const members = await owner.api.get<Array<{ userId: string }>>(`/orgs/${org.slug}/members`);
  expect(members.body.map((m) => m.userId)).not.toContain(member.id);
});
