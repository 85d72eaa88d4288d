import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup } from '@trackbase/api/test/api-client';
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

it('a fork says what it was forked from, links there, and charts the inherited part as its own line', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const log = async (key: string, steps: number[], value: (s: number) => number) =>
    expect(
      (
        await owner.api.post(`${runs}/${key}/batches`, {
          streamId: 's',
          seq: 0,
          metrics: [{ name: 'loss', steps, values: steps.map(value), times: steps.map((s) => 1_700_000_000_000 + s) }],
        })
      ).status,
    ).toBe(200);
  const parent = (await owner.api.post(runs, { name: 'parent' })).body;
  await log(
    parent.key,
    Array.from({ length: 100 }, (_, i) => i),
    (s) => 3 - s / 50,
  );
  const fork = (await owner.api.post(runs, { name: 'fork', forkFrom: parent.key, forkStep: 60 })).body;
  await log(
    fork.key,
    Array.from({ length: 60 }, (_, i) => 61 + i),
    (s) => 2 - s / 100,
  );

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/runs/${fork.key}`);
  const note = page.getByTestId('forked-from');
  await expect.poll(() => note.textContent()).toBe(`forked from ${parent.key} at step 60`);
  expect(await note.getByRole('link').getAttribute('href')).toBe(`/${org}/${project}/runs/${parent.key}`);

  await page.goto(`${t.url}/${org}/${project}/runs/${fork.key}?tab=charts`);
  const chart = page.getByLabel('chart loss', { exact: true });
  await chart.waitFor();
  // 61 inherited points (0..60) and 60 of its own.
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBe(121);
  await expect.poll(() => chart.getByText(`${fork.key} (inherited)`).count()).toBeGreaterThan(0);
  await screenshot(page, '40-fork-chart-inherited-part');
});

it('the runs table shows what each run was forked from, a parent in another project included', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org, 'private', 'vision')).slug;
  const upstream = (await createProject(owner, org, 'private', 'pretrain')).slug;
  const runs = `/orgs/${org}/projects/${project}/runs`;
  const base = (await owner.api.post(`/orgs/${org}/projects/${upstream}/runs`, { name: 'pretrained' })).body;
  const local = (await owner.api.post(runs, { name: 'baseline' })).body;
  const across = (await owner.api.post(runs, { name: 'finetune', forkFrom: `${upstream}/${base.key}`, forkStep: 900 })).body;
  const within = (await owner.api.post(runs, { name: 'retry', forkFrom: local.key, forkStep: 12 })).body;
  expect([across.fork?.project, within.fork?.project]).toEqual([upstream, undefined]);

  const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}`);
  await page.getByRole('columnheader', { name: 'Forked from' }).waitFor();
  const cells = page.getByTestId('forked-from-cell');
  await expect.poll(() => cells.count()).toBe(2);
  const row = (key: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: key, exact: true }) });
  const acrossCell = row(across.key).getByTestId('forked-from-cell');
  expect(await acrossCell.textContent()).toBe(`↳ ${upstream}/${base.key} @ 900`);
  expect(await acrossCell.getAttribute('href')).toBe(`/${org}/${upstream}/runs/${base.key}`);
  expect(await row(within.key).getByTestId('forked-from-cell').textContent()).toBe(`↳ ${local.key} @ 12`);
  expect(await row(local.key).getByTestId('forked-from-cell').count()).toBe(0);
  await screenshot(page, '41-runs-table-forked-from');
});
