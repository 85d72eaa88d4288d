import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { init } from '@trackbase/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addOrgMember, ApiClient, createOrg, createProject, setProjectRole, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';
import { logVersion, PNG } from './web-helpers';

// Drives the built web app (apps/web/dist, built by `npm test` before the tests) in
// Debian's Chromium against the real API and database, as a person would.
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  // The smallest part size S3 allows, so a 6 MiB file goes up in parts from the browser.
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist'), UPLOAD_PART_SIZE: String(5 * 1024 * 1024) });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

/** A browser page signed in as a user made through the API. */
async function pageAs(user: TestUser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => {
    if (!localStorage.getItem('trackbase.session')) localStorage.setItem('trackbase.session', session);
  }, JSON.stringify(user.tokens));
  return context.newPage();
}

async function signUp(page: Page, name: string, email: string, next = '/') {
  await page.goto(`${t.url}/signup?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Sign up' }).click();
}

it('a team signs up, logs runs, watches a chart grow live, compares runs and shares with a read-only viewer', async () => {
  const page = await newPage();
  const stamp = Date.now();
  await signUp(page, 'Ada', `ada-${stamp}@example.com`);
  await page.getByRole('heading', { name: 'Organizations' }).waitFor();
  await screenshot(page, '01-organizations');

  await page.getByLabel('New organization').fill(`Lab ${stamp}`);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await page.getByLabel('New project').fill('Vision');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByText('No runs yet').waitFor();
  const [, org, project] = new URL(page.url()).pathname.split('/');
  expect(project).toBe('vision');

  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByLabel('Key name').fill('e2e');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!;
  expect(key).toMatch(/^tbk_/);
  await screenshot(page, '02-account-api-keys');

  // Runs logged through the SDK with the key made in the browser.
  const sdkOptions = {
    url: t.url,
    apiKey: key,
    project: `${org}/${project}`,
    dir: mkdtempSync(join(tmpdir(), 'tb-web-e2e-')),
    systemMetricsIntervalMs: 0,
    context: false as const,
    exitHandlers: false,
    log: () => undefined,
  };
  const first = await init({ ...sdkOptions, mode: 'sync', name: 'baseline', params: { optimizer: { name: 'adam', lr: 0.001 } } });
  const second = await init({ ...sdkOptions, mode: 'sync', name: 'bigger-lr', params: { optimizer: { name: 'adam', lr: 0.01 } } });
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const log = async (run: typeof first, from: number) => {
    for (let step = from; step < from + 3; step++) await run.log({ 'train/loss': 1 / (step + 1) }, step);
  };
  await log(first, 0);
  await log(second, 0);

  await page.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await page.getByRole('tab', { name: 'charts' }).click();
  const chart = page.getByLabel('chart train/loss');
  await chart.waitFor();
  await expect.poll(() => chart.getAttribute('data-points')).toBe('3');
  for (let batch = 1; batch <= 3; batch++) await log(first, batch * 3);
  await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).toBe('12');
  await screenshot(page, '03-run-charts-live');

  await page.goto(`${t.url}/${org}/${project}`);
  await page.getByRole('row').filter({ hasText: 'baseline' }).waitFor();
  await screenshot(page, '04-runs-table');
  await page.getByLabel(`Select ${first.key!}`).check();
  await page.getByLabel(`Select ${second.key}`).check();
  await page.getByRole('button', { name: /Compare/ }).click();
  const diff = page.getByRole('table', { name: 'Differences' });
  await diff.getByText('params.optimizer.lr').waitFor();
  await expect.poll(() => diff.locator('tr.differs').count()).toBeGreaterThan(0);
  await screenshot(page, '05-compare');

  await page.goto(`${t.url}/${org}/settings`);
  await page.getByLabel('Email').fill(`viewer-${stamp}@example.com`);
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = (await page.getByTestId('invitation-link').textContent())!;
  await screenshot(page, '06-org-settings');

  const viewerPage = await newPage();
  await signUp(viewerPage, 'Vic', `viewer-${stamp}@example.com`, new URL(link).pathname);
  await viewerPage.getByRole('button', { name: 'Accept invitation' }).click();
  await viewerPage.getByRole('heading', { name: `Lab ${stamp}` }).waitFor();
  // The project is private: the owner makes the new member a viewer of it.
  await page.goto(`${t.url}/${org}/${project}/settings`);
  await page.getByLabel('Organization member').selectOption({ label: `Vic (viewer-${stamp}@example.com)` });
  await page.getByRole('button', { name: 'Add to project' }).click();
  await page.getByLabel('Project role of Vic').waitFor();

  await viewerPage.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await viewerPage.getByRole('tab', { name: 'overview' }).waitFor();
  await viewerPage.getByText('Tags:').waitFor();
  expect(await viewerPage.getByRole('form', { name: 'Edit run' }).count()).toBe(0);
  expect(await viewerPage.getByRole('button', { name: 'Save' }).count()).toBe(0);
  await screenshot(viewerPage, '07-viewer-run-overview');
  await viewerPage.goto(`${t.url}/${org}/${project}/settings`);
  await viewerPage.getByRole('heading', { name: 'Members' }).waitFor();
  expect(await viewerPage.getByRole('form', { name: 'Add project member' }).count()).toBe(0);
  expect(await viewerPage.getByRole('button', { name: 'Remove' }).count()).toBe(0);
  // The API refuses what the UI does not offer.
  const viewerApi = new ApiClient(
    t.url,
    await viewerPage.evaluate(() => JSON.parse(localStorage.getItem('trackbase.session')!).accessToken),
  );
  expect((await viewerApi.patch(`${runs}/${first.key}`, { notes: 'sneaky' })).status).toBe(403);

  // The owner comments with a mention of the viewer, who finds it in the inbox.
  await page.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await page.getByRole('tab', { name: 'comments' }).click();
  const composer = page.getByRole('form', { name: 'New comment' });
  await composer.getByLabel('New comment').fill('Great curve, please check ');
  await composer.getByLabel('Mention').selectOption({ label: 'Vic' });
  await composer.getByRole('button', { name: 'Comment' }).click();
  await page.getByText('@Vic').waitFor();
  await screenshot(page, '08-run-comments');
  await viewerPage.goto(`${t.url}/${org}/${project}/runs/${first.key}`);
  await viewerPage.getByRole('tab', { name: 'comments' }).click();
  await viewerPage.getByText('@Vic').waitFor();
  expect(await viewerPage.getByRole('form', { name: 'New comment' }).count()).toBe(0);
  await viewerPage.getByRole('link', { name: /Notifications, 1 unread/ }).click();
  await viewerPage.getByRole('list', { name: 'Notifications' }).getByText('mentioned you').waitFor();
  await screenshot(viewerPage, '09-notifications');
});

it('a contributor uploads run files and previews a CSV, browses an artifact version, and narrows runs by state; a viewer sees no edit controls', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const viewer = await addOrgMember(owner, org, 'member', 'Vera');
  await setProjectRole(owner, org, project, viewer.id, 'viewer');
  const projectPath = `/orgs/${org}/projects/${project}`;
  const trained = (await owner.api.post(`${projectPath}/runs`, { name: 'trained', tags: ['baseline'] })).body;
  const broken = (await owner.api.post(`${projectPath}/runs`, { name: 'broken', tags: ['ablation'] })).body;
  expect((await owner.api.patch(`${projectPath}/runs/${trained.key}`, { state: 'finished' })).status).toBe(200);
  expect((await owner.api.patch(`${projectPath}/runs/${broken.key}`, { state: 'failed' })).status).toBe(200);

  // Files: upload through the run page, list, preview, download, delete.
  const page = await pageAs(owner);
  await page.goto(`${t.url}/${org}/${project}/runs/${trained.key}?tab=files`);
  await page.getByText('No files yet').waitFor();
  const upload = page.getByRole('form', { name: 'Upload files' });
  const notes = '{"best":{"epoch":3,"accuracy":0.88}}';
  const csv = 'epoch,loss,accuracy\n1,0.91,0.62\n2,0.48,0.81\n3,0.30,0.88\n';
  await upload.getByLabel('Files', { exact: true }).setInputFiles([
    { name: 'metrics.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) },
    { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from(notes) },
  ]);
  await upload.getByLabel('Into folder').fill('eval');
  await upload.getByRole('button', { name: 'Upload' }).click();
  const uploads = upload.getByRole('list', { name: 'Uploads' });
  await expect.poll(() => uploads.getByText('uploaded').count()).toBe(2);
  const files = page.getByRole('table', { name: 'Files' });
  await files.getByRole('link', { name: 'eval/' }).click();
  await files.getByRole('link', { name: 'Preview metrics.csv' }).waitFor();
  // A file bigger than one part goes up in parts, each with its MD5.
  const weights = Buffer.alloc(6 * 1024 * 1024 + 123, 7);
  await upload
    .getByLabel('Files', { exact: true })
    .setInputFiles([{ name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights }]);
  await expect.poll(() => upload.getByLabel('Into folder').inputValue()).toBe('eval/');
  await upload.getByRole('button', { name: 'Upload' }).click();
  await expect.poll(() => uploads.textContent(), { timeout: 30_000 }).toMatch(/eval\/weights\.bin.*uploaded/);
  await files.getByRole('link', { name: 'Preview weights.bin' }).waitFor();
  const listed = (await owner.api.get(`${projectPath}/runs/${trained.key}/files?prefix=eval/`)).body.entries;
  expect(listed.map((e: { name: string; size: number }) => [e.name, e.size])).toEqual([
    ['metrics.csv', csv.length],
    ['notes.json', notes.length],
    ['weights.bin', weights.length],
  ]);
  await screenshot(page, '10-run-files');

  await files.getByRole('link', { name: 'Preview metrics.csv' }).click();
  const rows = page.getByRole('table', { name: 'Rows of metrics.csv' });
  await rows.getByRole('columnheader', { name: 'accuracy' }).waitFor();
  expect(await rows.locator('tbody tr').count()).toBe(3);
  await rows.getByRole('cell', { name: '0.48' }).waitFor();
  await screenshot(page, '11-run-file-preview');
  const [saved] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('region', { name: 'Preview of metrics.csv' }).getByRole('button', { name: 'Download' }).click(),
  ]);
  expect(saved.suggestedFilename()).toBe('metrics.csv');
  await files.getByRole('link', { name: 'Preview notes.json' }).click();
  await page.getByRole('region', { name: 'Preview of notes.json' }).getByText('"accuracy": 0.88').waitFor();
  await files.getByRole('button', { name: 'Delete weights.bin' }).click();
  await files.getByRole('button', { name: 'Delete weights.bin?' }).click();
  await expect.poll(() => files.getByRole('link', { name: 'Preview weights.bin' }).count()).toBe(0);
  const [tar] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download folder as .tar' }).click()]);
  expect(tar.suggestedFilename()).toBe(`${trained.key}-eval.tar`);

  // Artifacts logged through the API: two versions, produced by one run and used by another.
  await logVersion(owner.api, projectPath, 'mnist', {
    kind: 'dataset',
    description: 'Handwritten digits, first cut',
    run: trained.key,
    aliases: ['production'],
    metadata: {
      metrics: { rows: 3, accuracy: 0.98 },
      schema: {
        columns: [
          { name: 'label', type: 'int' },
          { name: 'pixels', type: 'string' },
        ],
      },
      statistics: { label: { min: 0, max: 9 } },
    },
    contents: { 'train.csv': Buffer.from('label,pixels\n1,0 0 1\n7,1 1 0\n'), 'samples/digit.png': PNG },
  });
  await logVersion(owner.api, projectPath, 'mnist', {
    kind: 'dataset',
    description: 'More digits',
    run: trained.key,
    contents: { 'train.csv': Buffer.from('label,pixels\n1,0 0 1\n7,1 1 0\n3,0 1 0\n') },
  });
  expect((await owner.api.post(`${projectPath}/artifacts/mnist/versions/v1/use`, { run: broken.key })).status).toBe(200);

  await page.goto(`${t.url}/${org}/${project}`);
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Artifacts' }).click();
  const artifacts = page.getByRole('table', { name: 'Artifacts' });
  await artifacts.getByRole('link', { name: 'mnist' }).waitFor();
  await screenshot(page, '12-artifacts');
  await page.getByLabel('Kind').selectOption('model');
  await page.getByText('No model artifacts').waitFor();
  await page.getByLabel('Kind').selectOption('dataset');
  await artifacts.getByRole('link', { name: 'mnist' }).click();
  const versions = page.getByRole('table', { name: 'Versions' });
  await versions.getByRole('link', { name: 'v2' }).waitFor();
  await page.getByLabel('Version of alias production').selectOption('v2');
  await expect.poll(() => versions.getByRole('row').filter({ hasText: 'production' }).textContent()).toContain('v2');
  await page.getByLabel('Version of alias production').selectOption('v1');
  await expect.poll(() => versions.getByRole('row').filter({ hasText: 'production' }).textContent()).toContain('v1');
  await screenshot(page, '13-artifact');
  await versions.getByRole('link', { name: 'v1' }).click();
  await page.getByRole('table', { name: 'Metrics' }).getByText('0.98').waitFor();
  await page.getByRole('link', { name: broken.key }).waitFor();
  const versionFiles = page.getByRole('table', { name: 'Files' });
  await versionFiles.getByRole('link', { name: 'samples/' }).click();
  await versionFiles.getByRole('link', { name: 'Preview digit.png' }).click();
  await expect.poll(() => page.getByRole('img', { name: 'digit.png' }).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  await screenshot(page, '14-artifact-version');

  // Quick filters: the state chip narrows the table and lives in the URL.
  await page.goto(`${t.url}/${org}/${project}`);
  const table = page.getByRole('table', { name: 'Runs' });
  await table.getByRole('row').filter({ hasText: 'broken' }).waitFor();
  await page.getByRole('group', { name: 'Filter by state' }).getByRole('button', { name: 'failed' }).click();
  await expect.poll(() => table.getByRole('row').filter({ hasText: 'trained' }).count()).toBe(0);
  await table.getByRole('row').filter({ hasText: 'broken' }).waitFor();
  expect(new URL(page.url()).searchParams.getAll('state')).toEqual(['failed']);
  await page.getByRole('group', { name: 'Filter by tag' }).getByRole('button', { name: 'baseline' }).click();
  await page.getByText('No run matches these filters').waitFor();
  await page.getByRole('group', { name: 'Filter by tag' }).getByRole('button', { name: 'ablation' }).click();
  await table.getByRole('row').filter({ hasText: 'broken' }).waitFor();
  await screenshot(page, '15-runs-quick-filters');

  // A viewer reads and downloads but is offered no upload, delete or alias controls.
  const viewerPage = await pageAs(viewer);
  await viewerPage.goto(`${t.url}/${org}/${project}/runs/${trained.key}?tab=files&dir=eval/`);
  await viewerPage.getByRole('table', { name: 'Files' }).getByRole('link', { name: 'Preview metrics.csv' }).waitFor();
  expect(await viewerPage.getByRole('form', { name: 'Upload files' }).count()).toBe(0);
  expect(await viewerPage.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
  await viewerPage.goto(`${t.url}/${org}/${project}/artifacts/mnist`);
  await viewerPage.getByRole('table', { name: 'Versions' }).getByRole('link', { name: 'v1' }).waitFor();
  expect(await viewerPage.getByLabel('Version of alias production').count()).toBe(0);
  expect(await viewerPage.getByRole('button', { name: /^Delete|^Remove/ }).count()).toBe(0);
  expect(await viewerPage.getByRole('form', { name: 'Add alias' }).count()).toBe(0);
  await screenshot(viewerPage, '16-viewer-artifact');
});
