import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';
import { logVersion, PNG } from './web-helpers';

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

it('a README with live references renders sanitised, links what the reader can see, and keeps its history with diffs', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private')).slug;
  const base = `/orgs/${org}/projects/${project}`;
  const run = (await owner.api.post(`${base}/runs`, { name: 'baseline-resnet', description: 'the first try' })).body;
  const dataset = await owner.api.post(`${base}/artifacts/imagenet/versions`, {
    kind: 'dataset',
    reference: { uri: 's3://lake/imagenet', digest: 'etag-1', size: 10 },
  });
  expect(dataset.status).toBe(201);
  const viewer = await addOrgMember(owner, org, 'member', 'Vera Viewer');
  await setProjectRole(owner, org, project, viewer.id, 'viewer');

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}`);
  await page.getByRole('button', { name: 'Add a README' }).click();
  const text = [
    '# Results',
    '',
    `Best so far: ${run.key}, trained on dataset:imagenet:v1; compare model:ghost@production.`,
    '',
    '$$\n\\mathcal{L} = -\\sum y \\log p\n$$',
    '',
    '<img src="x" onerror="window.__pwned = 1"> <a href="javascript:window.__pwned = 2">click</a>',
  ].join('\n');
  await page.getByLabel('README text').fill(text);
  await page.getByRole('tab', { name: 'Preview' }).click();
  await page.getByRole('heading', { name: 'Results' }).waitFor();
  await page.getByRole('button', { name: 'Save README' }).click();

  const readme = page.getByLabel('Project README');
  const runLink = readme.getByRole('link', { name: run.key });
  await runLink.waitFor();
  expect(await runLink.getAttribute('href')).toBe(`/${org}/${project}/runs/${run.key}`);
  await runLink.hover();
  await expect.poll(() => readme.getByRole('tooltip').first().innerText()).toContain('baseline-resnet');
  expect(await readme.getByRole('link', { name: 'dataset:imagenet:v1' }).getAttribute('href')).toBe(
    `/${org}/${project}/artifacts/imagenet/v1`,
  );
  // A reference to what does not exist (or cannot be read) stays plain text.
  expect(await readme.getByText('model:ghost@production').evaluate((el) => el.tagName)).toBe('SPAN');
  expect(await readme.getByRole('link', { name: 'model:ghost@production' }).count()).toBe(0);
  expect(await readme.locator('.katex-display').count()).toBe(1);
  await readme.getByText('click').click();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await screenshot(page, 'readme-live-references');

  // A second version, then its diff from the history.
  await readme.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('README text').fill(text.replace('Best so far', 'Final pick'));
  await page.getByRole('button', { name: 'Save README' }).click();
  await readme.getByText('v2 · Owner').waitFor();
  await readme.getByRole('button', { name: 'History' }).click();
  await readme.getByRole('button', { name: 'v2' }).click();
  const changes = readme.getByLabel('Changes in v2');
  await changes.locator('.diff-add', { hasText: 'Final pick' }).waitFor();
  expect(await changes.locator('.diff-remove').innerText()).toContain('Best so far');
  await screenshot(page, 'readme-history-diff');

  // A viewer reads it but is offered no editor.
  const viewerContext = await browser.newContext();
  await viewerContext.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(viewer.tokens));
  const viewerPage = await viewerContext.newPage();
  await viewerPage.goto(`${t.url}/${org}/${project}`);
  await viewerPage.getByLabel('Project README').getByRole('link', { name: run.key }).waitFor();
  expect(await viewerPage.getByRole('button', { name: 'Edit' }).count()).toBe(0);
  await viewerContext.close();
  await context.close();
});

it('the file browser renders .md files as Markdown and a notebook larger than the preview as a notebook, outputs sanitised', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const base = `/orgs/${org}/projects/${project}`;
  const filler = 'x'.repeat(80 * 1024); // past the 64 KiB preview: the viewer fetches the whole notebook
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { language_info: { name: 'python' } },
    cells: [
      { cell_type: 'markdown', source: ['# Evaluation notebook\n', 'accuracy is $a$'], metadata: {} },
      {
        cell_type: 'code',
        execution_count: 7,
        source: 'import numpy as np\nprint(np.pi)',
        metadata: {},
        outputs: [
          { output_type: 'stream', name: 'stdout', text: '3.141592653589793\n' },
          { output_type: 'display_data', data: { 'image/png': PNG.toString('base64'), 'text/plain': 'figure' }, metadata: {} },
          {
            output_type: 'display_data',
            data: { 'text/html': '<b class="ok">bold output</b><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' },
            metadata: {},
          },
          { output_type: 'display_data', data: { 'application/javascript': 'window.__pwned = 3' }, metadata: {} },
        ],
      },
      { cell_type: 'raw', source: 'raw text', metadata: { filler } },
    ],
  };
  await logVersion(owner.api, base, 'evaluation', {
    kind: 'report',
    contents: {
      'README.md': Buffer.from('# Model card\n\n| metric | value |\n|---|---|\n| acc | 0.91 |\n\n<script>window.__pwned = 4</script>'),
      'eval.ipynb': Buffer.from(JSON.stringify(notebook)),
    },
  });

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/artifacts/evaluation/v1`);
  await page.getByLabel('Preview README.md').click();
  const md = page.getByLabel('Preview of README.md');
  await md.getByRole('heading', { name: 'Model card' }).waitFor();
  expect(await md.locator('td', { hasText: '0.91' }).count()).toBe(1);

  await page.getByLabel('Preview eval.ipynb').click();
  const nb = page.getByLabel('Preview of eval.ipynb');
  await nb.getByRole('heading', { name: 'Evaluation notebook' }).waitFor();
  expect(await nb.locator('.katex').count()).toBeGreaterThan(0);
  expect(await nb.locator('.hljs-keyword', { hasText: 'import' }).count()).toBe(1);
  expect(await nb.getByText('3.141592653589793').count()).toBe(1);
  expect(await nb.locator('img.nb-image').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  expect(await nb.locator('b', { hasText: 'bold output' }).count()).toBe(1);
  expect(await nb.locator('script').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await screenshot(page, 'notebook-preview');
  await context.close();
});
