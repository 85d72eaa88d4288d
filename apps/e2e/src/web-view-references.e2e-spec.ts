import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '@trackbase/api/test/api-client';
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

async function as(user: TestUser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(user.tokens));
  return context.newPage();
}

it('saved views in Markdown are live references for whoever can see them, and plain text for everyone else', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private')).slug;
  const base = `/orgs/${org}/projects/${project}`;
  const reader = await addOrgMember(owner, org, 'member', 'Rita Reader');
  await setProjectRole(owner, org, project, reader.id, 'viewer');
  const shared = await owner.api.post(`${base}/views`, {
    name: 'baseline',
    visibility: 'project',
    state: { filter: 'params.lr > 0.1', columns: [{ field: 'name' }, { field: 'params.lr' }] },
  });
  expect(shared.status, JSON.stringify(shared.body)).toBe(201);
  const personal = await owner.api.post(`${base}/views`, { name: 'secret-plan', visibility: 'personal', state: { filter: 'tags = "x"' } });
  expect(personal.status).toBe(201);
  const sharedUrl = `${t.url}/${org}/${project}?view=${shared.body.id}`;
  const personalUrl = `${t.url}/${org}/${project}?view=${personal.body.id}`;
  const readme = await owner.api.put(`${base}/readme`, {
    body: [
      '# Views',
      '',
      'Start from view:baseline, then view:secret-plan; view:ghost is gone.',
      '',
      `Shared: ${sharedUrl}`,
      '',
      `Personal: ${personalUrl}`,
    ].join('\n'),
  });
  expect(readme.status, JSON.stringify(readme.body)).toBe(200);

  // The reader sees the shared view as a link with its preview card; the owner's personal view, and a view that
  // does not exist, stay plain text alike (by name and by URL), so nothing tells them apart.
  const page = await as(reader);
  await page.goto(`${t.url}/${org}/${project}`);
  const box = page.getByLabel('Project README');
  const link = box.getByRole('link', { name: 'view:baseline' });
  await link.waitFor();
  expect(await link.getAttribute('href')).toBe(`/${org}/${project}?view=${shared.body.id}`);
  await link.hover();
  await expect.poll(() => box.getByRole('tooltip').first().innerText()).toContain('saved view (shared)');
  expect(await box.getByRole('tooltip').first().innerText()).toContain('params.lr > 0.1');
  expect(await box.getByRole('link', { name: sharedUrl }).getAttribute('href')).toBe(`/${org}/${project}?view=${shared.body.id}`);
  for (const hidden of ['view:secret-plan', 'view:ghost', personalUrl]) {
    expect(await box.getByRole('link', { name: hidden }).count(), hidden).toBe(0);
    expect(
      await box
        .getByText(hidden)
        .first()
        .evaluate((el) => el.tagName),
      hidden,
    ).toBe('SPAN');
  }
  await screenshot(page, 'readme-view-references');

  // Following the reference opens the runs table with the view's state.
  await link.click();
  await expect.poll(() => new URL(page.url()).searchParams.get('filter')).toBe('params.lr > 0.1');

  // Its owner sees their personal view as a live reference too.
  const mine = await as(owner);
  await mine.goto(`${t.url}/${org}/${project}`);
  await mine.getByLabel('Project README').getByRole('link', { name: 'view:secret-plan' }).waitFor();
  await mine.getByLabel('Project README').getByRole('link', { name: personalUrl }).waitFor();
});
