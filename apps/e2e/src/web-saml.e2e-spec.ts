import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenPair } from '@trackbase/contracts';
import { ApiClient, createProject, signup, uniqueSlug } from '@trackbase/api/test/api-client';
import { startDnsServer, type TestDnsServer } from '@trackbase/api/test/dns-server';
import { startSamlIdp, type TestSamlIdp } from '@trackbase/api/test/saml-idp';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

// SAML single sign-on as people do it in Chromium: the owner sets the IdP up in the organization's settings (copying
// what to register at the IdP), verifies the email domain by DNS, and a member signs in from the sign-in page through
// the IdP (a real samlify IdP whose form posts the signed response to the ACS).
let t: TestApp;
let idp: TestSamlIdp;
let dns: TestDnsServer;
let browser: Browser;
const org = uniqueSlug('samlcorp');
const domain = `${org}.test`;

beforeAll(async () => {
  dns = await startDnsServer();
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist'), SSO_DNS_SERVERS: dns.address });
  idp = await startSamlIdp();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await idp?.close();
  await dns?.close();
});

it('an owner sets SAML up in the settings, verifies the domain, and a member signs in through the IdP', async () => {
  const owner = await signup(t.url, 'Owner', `owner@${domain}`);
  expect((await owner.api.post('/orgs', { name: 'Saml Corp', slug: org })).status).toBe(201);
  const project = (await createProject(owner, org)).slug;

  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  await context.addInitScript((session) => {
    if (!localStorage.getItem('trackbase.session')) localStorage.setItem('trackbase.session', session);
  }, JSON.stringify(owner.tokens));
  const settings = await context.newPage();
  await settings.goto(`${t.url}/${org}/settings`);
  const sso = settings.getByRole('region', { name: 'Single sign-on' });
  await sso.getByLabel('Protocol').selectOption('saml');
  const acsUrl = `${t.url}/api/v1/auth/sso/${org}/saml/acs`;
  await sso.getByText(acsUrl).waitFor();
  await sso.getByRole('button', { name: 'Copy ACS URL to clipboard' }).click();
  expect(await settings.evaluate(() => navigator.clipboard.readText())).toBe(acsUrl);
  await sso.getByLabel('IdP entity ID').fill(idp.entityId);
  await sso.getByLabel('IdP SSO URL').fill(idp.ssoUrl);
  await sso.getByLabel(/IdP signing certificates/).fill(idp.certificate);
  await sso.getByLabel('Email attribute').fill('email');
  await sso.getByLabel('Name attribute').fill('displayName');
  await sso.getByLabel('Groups attribute').fill('memberOf');
  await sso.getByRole('button', { name: 'Save single sign-on' }).click();
  await sso.getByRole('status').getByText('Saved.').waitFor();
  // The IdP's administrator registers Trackbase from the metadata URL shown.
  const metadataUrl = `${t.url}/api/v1/auth/sso/${org}/saml/metadata`;
  await sso.getByText(metadataUrl).waitFor();
  await idp.registerServiceProvider(metadataUrl);

  const domains = settings.getByRole('region', { name: 'Email domains' });
  await domains.getByLabel('Domain', { exact: true }).fill(domain);
  await domains.getByRole('button', { name: 'Add domain' }).click();
  const row = domains.getByRole('row', { name: domain });
  await row.getByText('not verified').waitFor();
  const txt = (await row.locator('code').textContent())!;
  expect(txt).toMatch(/^trackbase-verification=/);
  // Verifying before the record is published says what is missing.
  await row.getByRole('button', { name: 'Verify' }).click();
  await domains
    .getByRole('alert')
    .getByText(/no TXT record/)
    .waitFor();
  dns.txt.set(domain, [txt]);
  await row.getByRole('button', { name: 'Verify' }).click();
  await row.getByText(/^verified/).waitFor();
  await screenshot(settings, 'saml-settings');

  idp.accounts.set('dana', { email: `dana@${domain}`, name: 'Dana Scully', groups: ['ml'] });
  const mapped = await owner.api.put(`/orgs/${org}/sso`, {
    protocol: 'saml',
    saml: {
      idpEntityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      idpCertificates: [idp.certificate],
      nameAttribute: 'displayName',
      groupsAttribute: 'memberOf',
    },
    groupMappings: [{ group: 'ml', projects: [{ project, role: 'contributor' }] }],
  });
  expect(mapped.status).toBe(200);

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${t.url}/login?next=${encodeURIComponent(`/${org}/${project}`)}`);
  await page.getByLabel('Email').fill(`dana@${domain}`);
  await page.getByRole('status').getByText('Your organization signs you in with its identity provider.').waitFor();
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();

  await page.waitForURL((url) => url.href.startsWith(idp.ssoUrl));
  await page.getByLabel('Account').selectOption('dana');
  await screenshot(page, 'saml-idp-login');
  await page.getByRole('button', { name: 'Sign in' }).click();

  // The IdP's form posts the signed response to the ACS; the browser comes back to the project, signed in.
  await page.waitForURL(`${t.url}/${org}/${project}`);
  const session = JSON.parse((await page.evaluate(() => localStorage.getItem('trackbase.session')))!) as TokenPair;
  expect(session.user).toMatchObject({ email: `dana@${domain}`, name: 'Dana Scully' });
  expect(page.url()).not.toContain('sso_code');
  await page.getByText(`Project ${project}`).first().waitFor();
  await screenshot(page, 'saml-signed-in');
  const role = await new ApiClient(t.url, session.accessToken).get(`/orgs/${org}/projects/${project}`);
  expect(role.status).toBe(200);
  expect(role.body.role).toBe('contributor');
});
