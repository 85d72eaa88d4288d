import { resolve } from 'node:path';
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient, signup } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

// The built web app (apps/web/dist) in Chromium: enabling two-factor on the Account page (QR code, confirmation
// code, recovery codes shown once), then signing in with the password and a code computed here with otplib.
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

/** The code of the time step `stepsAhead` from now (the server accepts one step of drift either way). */
const totp = (secret: string, stepsAhead = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });

it('enables two-factor from the account page, then signs in with the password and a code', async () => {
  const user = await signup(t.url, 'Hedy');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => {
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('trackbase.session', session);
      sessionStorage.setItem('seeded', '1');
    }
  }, JSON.stringify(user.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/account`);
  await page.getByRole('button', { name: 'Enable two-factor' }).click();
  const qr = page.getByAltText('Two-factor QR code');
  await qr.waitFor();
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 100)).toBe(true);
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]+=*$/);
  await screenshot(page, 'web-two-factor-01-qr');

  await page.getByLabel('Code from the app').fill(await totp(secret));
  await page.getByRole('button', { name: 'Confirm and enable' }).click();
  const codes = page.getByTestId('recovery-codes');
  await codes.waitFor();
  expect((await codes.textContent())!.trim().split('\n')).toHaveLength(10);
  await page.getByText('Two-factor is on.', { exact: false }).first().waitFor();
  await screenshot(page, 'web-two-factor-02-recovery-codes');
  expect((await user.api.get('/users/me/security')).body.twoFactorEnabled).toBe(true);
  // Shown once: a reload shows the state, not the codes.
  await page.reload();
  await page.getByText('10 recovery codes left').waitFor();
  expect(await page.getByTestId('recovery-codes').count()).toBe(0);

  // A fresh browser signs in: password, then the second step.
  const fresh = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await fresh.goto(`${t.url}/login`);
  await fresh.getByLabel('Email').fill(user.email);
  await fresh.getByLabel('Password').fill(user.password);
  await fresh.getByRole('button', { name: 'Sign in' }).click();
  await fresh.getByRole('heading', { name: 'Two-factor code' }).waitFor();
  expect(await fresh.evaluate(() => localStorage.getItem('trackbase.session'))).toBeNull();
  await fresh.getByLabel('Code', { exact: true }).fill('000000' === (await totp(secret, 1)) ? '111111' : '000000');
  await fresh.getByRole('button', { name: 'Verify' }).click();
  await fresh.getByRole('alert').waitFor();
  await screenshot(fresh, 'web-two-factor-03-wrong-code');
  // The confirmation used this step's code: the next step's code signs in.
  await fresh.getByLabel('Code', { exact: true }).fill(await totp(secret, 1));
  await fresh.getByRole('button', { name: 'Verify' }).click();
  await fresh.waitForURL(`${t.url}/`);
  const session = JSON.parse((await fresh.evaluate(() => localStorage.getItem('trackbase.session')))!);
  expect(session.user.id).toBe(user.id);
  expect((await new ApiClient(t.url, session.accessToken).get('/users/me')).status).toBe(200);
  await screenshot(fresh, 'web-two-factor-04-signed-in');
});

it('the forgot-password page answers the same for any email', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${t.url}/login`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill('nobody-here@example.com');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('status').waitFor();
  expect(await page.getByRole('status').textContent()).toContain('If this email has an account');
  await screenshot(page, 'web-two-factor-05-forgot-password');
});
