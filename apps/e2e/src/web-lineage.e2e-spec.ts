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

it('draws dataset → run → model → run as a graph that is followed by clicking and with the keyboard, readable in dark mode', async () => {
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const train = (await owner.api.post(runs, { name: 'fit' })).body;
  const evaluate = (await owner.api.post(runs, { name: 'score' })).body;
  const send = (key: string, body: Record<string, unknown>) => owner.api.post(`${runs}/${key}/batches`, { streamId: 's', seq: 0, ...body });
  expect(
    (
      await send(train.key, {
        inputs: [{ kind: 'dataset', name: 'irises', version: 'v1', columns: [{ name: 'sepal', type: 'float64' }] }],
        outputs: [{ kind: 'model', name: 'forest', version: '2', framework: 'sklearn' }],
      })
    ).status,
  ).toBe(200);
  expect((await send(evaluate.key, { inputs: [{ kind: 'model', name: 'forest', version: '2' }] })).status).toBe(200);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/runs/${evaluate.key}?tab=lineage`);

  // From the evaluation run, two hops upstream: the model it read, the run that made it, and that run's dataset.
  const graph = page.getByRole('group', { name: 'Lineage graph' });
  await expect.poll(() => graph.getAttribute('data-nodes')).toBe('4');
  expect(await graph.getAttribute('data-edges')).toBe('3');
  const x = async (role: 'link' | 'button', name: RegExp) => (await graph.getByRole(role, { name }).boundingBox())!.x;
  // Left to right with the data: dataset, training run, model, evaluation run.
  const xs = [
    await x('button', /^dataset irises@v1/),
    await x('link', new RegExp(`^run ${train.key} `)),
    await x('button', /^model forest@2/),
  ];
  const self = graph.getByRole('link', { name: /\(this run\)$/ });
  xs.push((await self.boundingBox())!.x);
  expect(xs).toEqual([...xs].sort((a, b) => a - b));
  expect(new Set(xs).size).toBe(4);

  // Readable in dark mode: node text light on a dark node.
  const colours = await self.evaluate((g) => ({
    text: getComputedStyle(g.querySelector('.lineage-label')!).fill,
    node: getComputedStyle(g.querySelector('rect')!).fill,
  }));
  expect(colours).toEqual({ text: 'rgb(229, 231, 235)', node: 'rgb(39, 50, 68)' });
  await screenshot(page, '35-run-lineage-graph-dark');

  // A model opens its recorded details beside the graph, with the runs that made and read it.
  await graph.getByRole('button', { name: /^model forest@2/ }).click();
  const aside = page.getByRole('complementary', { name: 'Selected model' });
  await expect.poll(() => aside.innerText()).toContain('forest@2');
  expect(await aside.innerText()).toMatch(/Produced by\s+\S+ fit/);

  // Clicking the training run follows the lineage there: its graph now has the run as its own.
  await graph.getByRole('link', { name: new RegExp(`^run ${train.key} `) }).click();
  await expect.poll(() => new URL(page.url()).pathname).toBe(`/${org}/${project}/runs/${train.key}`);
  expect(new URL(page.url()).searchParams.get('tab')).toBe('lineage');
  await expect
    .poll(() => graph.getByRole('link', { name: /\(this run\)$/ }).getAttribute('aria-label'))
    .toMatch(new RegExp(`^run ${train.key} fit`));

  // And back with the keyboard alone: Tab reaches the evaluation run's node, Enter opens it.
  const target = graph.getByRole('link', { name: new RegExp(`^run ${evaluate.key} score`) });
  await target.waitFor();
  await graph.locator('[tabindex="0"]').first().focus();
  for (let i = 0; i < 6 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  expect(await target.evaluate((el) => el === document.activeElement)).toBe(true);
  await screenshot(page, '36-run-lineage-graph-focus');
  await page.keyboard.press('Enter');
  await expect.poll(() => new URL(page.url()).pathname).toBe(`/${org}/${project}/runs/${evaluate.key}`);
  await context.close();
});
