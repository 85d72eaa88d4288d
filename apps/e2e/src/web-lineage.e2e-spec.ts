import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

let t: TestApp;
let browser: Browser;
let owner: TestUser;
let org: string;
let project: string;

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org)).slug;
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it("the lineage tab shows a dataset's columns, statistics and preview rows, and a model's framework, class and hyperparameters", async () => {
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const run = (await owner.api.post(runs, { name: 'train' })).body;
  const sent = await owner.api.post(`${runs}/${run.key}/batches`, {
    streamId: 's',
    seq: 0,
    inputs: [
      {
        kind: 'dataset',
        name: 'flowers',
        version: 'v3',
        uri: 's3://data/flowers.parquet',
        sizeBytes: 5_242_880,
        columns: [
          { name: 'petal_length', type: 'float64', stats: { mean: 3.758, min: 1, max: 6.9 } },
          { name: 'species', type: 'string', stats: { distinct: 3 } },
        ],
        preview: [
          { petal_length: 1.4, species: 'setosa' },
          { petal_length: 4.7, species: 'versicolor' },
        ],
        preprocessing: ['drop rows without a label'],
      },
    ],
    outputs: [
      {
        kind: 'model',
        name: 'classifier',
        version: '1',
        framework: 'sklearn',
        modelClass: 'sklearn.ensemble.RandomForestClassifier',
        hyperparameters: { n_estimators: 200, max_depth: 8 },
      },
    ],
  });
  expect(sent.status).toBe(200);

  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/runs/${run.key}?tab=lineage`);

  const dataset = page.getByRole('group', { name: 'dataset flowers@v3' });
  await dataset.locator('summary').click();
  const columns = dataset.getByRole('table', { name: 'Columns of flowers@v3' });
  const petal = columns.getByRole('row').filter({ hasText: 'petal_length' });
  await expect.poll(() => petal.innerText()).toMatch(/float64\s+3\.758\s+1\s+6\.9/);
  expect(await columns.getByRole('row').filter({ hasText: 'species' }).innerText()).toContain('3');
  const preview = dataset.getByRole('table', { name: 'Preview of flowers@v3' });
  expect(await preview.getByRole('row').count()).toBe(3);
  expect(await preview.innerText()).toContain('versicolor');
  expect(await dataset.innerText()).toContain('5 MB');
  expect(await dataset.innerText()).toContain('drop rows without a label');

  const model = page.getByRole('group', { name: 'model classifier@1' });
  await model.locator('summary').click();
  expect(await model.innerText()).toContain('sklearn.ensemble.RandomForestClassifier');
  const hyper = model.getByLabel('Hyperparameters');
  await expect.poll(() => hyper.innerText()).toMatch(/n_estimators\s+200/);
  expect(await hyper.innerText()).toMatch(/max_depth\s+8/);
  await screenshot(page, '34-run-lineage-metadata');
  await context.close();
});
