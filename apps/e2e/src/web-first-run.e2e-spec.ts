import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

// What a newcomer sees in the web app before a first run: the password rule, the key's copy button, and the code for this project.
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

it('sign-up states the password rule; an empty project shows the code that logs into it; a new key has a copy button', async () => {
  const signUpPage = await (await browser.newContext()).newPage();
  await signUpPage.goto(`${t.url}/signup`);
  await expect.poll(() => signUpPage.locator('#password-rule').textContent()).toBe('At least 10 characters.');

  const owner = await signup(t.url);
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();

  await page.goto(`${t.url}/${org}/${project}`);
  const python = page.getByTestId('first-run-python');
  await python.waitFor();
  expect(await python.textContent()).toContain(`trackbase.init(project="${org}/${project}")`);
  expect(await python.textContent()).toContain('run.log({"loss"');
  expect(await page.getByTestId('first-run-typescript').textContent()).toContain(`init({ project: '${org}/${project}' })`);
  expect(await page.getByTestId('first-run-environment').textContent()).toContain(`TRACKBASE_URL=${t.url}`);
  await screenshot(page, 'first-run-empty-project');

  await page.goto(`${t.url}/account`);
  await page.getByLabel('Key name').fill('laptop');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!;
  await page.getByRole('button', { name: 'Copy key to clipboard' }).click();
  await page.getByRole('button', { name: 'Copy key to clipboard' }).getByText('Copied').waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
});
