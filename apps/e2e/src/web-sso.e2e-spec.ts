import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenPair } from '@trackbase/contracts';
import { ApiClient, createProject, signup, uniqueSlug } from '@trackbase/api/test/api-client';
import { startDnsServer, verifyDomainThroughDns, type TestDnsServer } from '@trackbase/api/test/dns-server';
import { startOidcProvider, type TestOidcProvider } from '@trackbase/api/test/oidc-provider';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

// Single sign-on as a person does it in Chromium: type an email of the organization's domain on the sign-in page,
// be sent to the organization's identity provider (a real oidc-provider), sign in there, land in the web app.
let t: TestApp;
let idp: TestOidcProvider;
let dns: TestDnsServer;
let browser: Browser;
const org = uniqueSlug('corp');
const domain = `${org}.test`;

beforeAll(async () => {
  dns = await startDnsServer();
  t = await startTestApp({
    WEB_DIST_DIR: resolve(__dirname, '../../web/dist'),
    SSO_ALLOW_HTTP_ISSUERS: 'true',
    SSO_DNS_SERVERS: dns.address,
  });
  idp = await startOidcProvider([`${t.url}/api/v1/auth/sso/${org}/callback`]);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await idp?.close();
  await dns?.close();
});

it('an email of a verified domain is routed to the provider from the sign-in page, and comes back signed in', async () => {
  const owner = await signup(t.url, 'Owner', `owner@${domain}`);
  expect((await owner.api.post('/orgs', { name: 'Corp', slug: org })).status).toBe(201);
  const project = (await createProject(owner, org)).slug;
  const configured = await owner.api.put(`/orgs/${org}/sso`, {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    emailDomains: [domain],
    groupMappings: [{ group: 'ml', projects: [{ project, role: 'contributor' }] }],
  });
  expect(configured.status).toBe(200);
  await verifyDomainThroughDns(dns, owner.api, org, domain);
  idp.accounts.set('dana', { email: `dana@${domain}`, name: 'Dana Scully', groups: ['ml'] });

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${t.url}/login?next=${encodeURIComponent(`/${org}/${project}`)}`);
  await page.getByLabel('Email').fill(`dana@${domain}`);
  await page.getByRole('status').getByText('Your organization signs you in with its identity provider.').waitFor();
  expect(await page.getByLabel('Password').count()).toBe(0);
  await screenshot(page, 'sso-sign-in-routed');
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();

  // The provider's own login form (oidc-provider's development interaction).
  await page.waitForURL((url) => url.origin === idp.issuer);
  await page.locator('input[name="login"]').fill('dana');
  await page.locator('input[name="password"]').fill('anything');
  await screenshot(page, 'sso-provider-login');
  await page.locator('button[type="submit"]').click();

  await page.waitForURL(`${t.url}/${org}/${project}`);
  const session = JSON.parse((await page.evaluate(() => localStorage.getItem('trackbase.session')))!) as TokenPair;
  expect(session.user.email).toBe(`dana@${domain}`);
  // The code that carried the session is gone from the address bar.
  expect(page.url()).not.toContain('sso_code');
  await page.getByText(`Project ${project}`).first().waitFor();
  await screenshot(page, 'sso-signed-in');
  const role = await new ApiClient(t.url, session.accessToken).get(`/orgs/${org}/projects/${project}`);
  expect(role.status).toBe(200);
  expect(role.body.role).toBe('contributor');
});

it('a sign-in the server refuses comes back to the sign-in page with the reason', async () => {
  idp.accounts.set('eve', { email: 'eve@elsewhere.test', name: 'Eve', groups: [] });
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${t.url}/login`);
  await page.getByLabel('Email').fill(`eve@${domain}`);
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();
  await page.waitForURL((url) => url.origin === idp.issuer);
  await page.locator('input[name="login"]').fill('eve');
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${t.url}/login?sso_error=sso_email_not_allowed`);
  await page.getByRole('alert').getByText('this organization does not accept').waitFor();
  await screenshot(page, 'sso-refused');
});
