import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch, screenshot } from './browser';

let t: TestApp;
let browser: Browser;
let owner: TestUser;
let org: string;
let project: string;
let wiki: Server;
let wikiUrl: string;
let embedSrc = '';
const runs: Array<{ key: string; name: string }> = [];

const MALICIOUS = [
  '<script>window.__pwned = 1</script>',
  '<img src="x" onerror="window.__pwned = 2"> <a href="javascript:window.__pwned = 3">click me</a> [md link](javascript:window.__pwned=4)',
].join('\n');

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
  owner = await signup(t.url, 'Owner Olga');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private')).slug;
  const base = `/orgs/${org}/projects/${project}/runs`;
  for (const [i, name] of ['alice-baseline', 'bob-wider'].entries()) {
    const run = (await owner.api.post(base, { name, params: { width: 64 * (i + 1) } })).body;
    runs.push({ key: run.key, name });
    const steps = Array.from({ length: 50 }, (_, s) => s);
    const sent = await owner.api.post(`${base}/${run.key}/batches`, {
      streamId: 's',
      seq: 0,
      metrics: [
        {
          name: 'loss',
          steps,
          values: steps.map((s) => (2 - i * 0.5) * Math.exp(-s / 15)),
          times: steps.map((s) => 1_700_000_000_000 + s),
        },
        { name: 'acc', steps, values: steps.map((s) => 1 - Math.exp(-s / 15) / (2 + i)), times: steps.map((s) => 1_700_000_000_000 + s) },
      ],
    });
    expect(sent.status).toBe(200);
  }
  // A plain HTML page of another origin (a wiki) that frames one panel.
  wiki = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(`<!doctype html><html><body><h1>Team wiki</h1><p>Our latest loss curve:</p>
      <iframe title="Trackbase panel" src="${embedSrc}" width="800" height="340" style="border:1px solid #ccc"></iframe></body></html>`);
  });
  await new Promise<void>((done) => wiki.listen(0, '127.0.0.1', done));
  wikiUrl = `http://127.0.0.1:${(wiki.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((done) => wiki?.close(done));
  await t?.close();
});

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'] });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  return context.newPage();
}

/** A browser that has never signed in. */
async function fresh(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  return context.newPage();
}

async function createLink(page: Page, anonymised: boolean): Promise<string> {
  const dialog = page.getByRole('dialog', { name: 'Share report' });
  await dialog.getByLabel('Expires').selectOption({ label: '7 days' });
  const box = dialog.getByLabel(/Anonymised/);
  if (anonymised) await box.check();
  else await box.uncheck();
  const url = dialog.getByLabel('Share URL');
  const before = (await url.count()) ? await url.inputValue() : '';
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await expect.poll(async () => ((await url.count()) ? await url.inputValue() : '')).not.toBe(before);
  expect(await url.inputValue()).toMatch(/\/shared\/reports\/tbs_/);
  const value = await url.inputValue();
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(value);
  return value;
}

/** Nothing of the hostile Markdown survives: no script element, handler attribute or javascript: link, and none ran. */
async function expectSanitised(page: Page) {
  const dangerous = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll('.report-blocks script, .report-blocks [onerror], .report-blocks a[href^="javascript"]'),
      (el) => el.outerHTML,
    ),
  );
  expect(dangerous).toEqual([]);
  await page.getByText('click me').click();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
}

it('a report saved from the compare view, published, shared (named and anonymised), embedded in a wiki, then revoked', async () => {
  const page = await signedIn();
  await page.goto(`${t.url}/${org}/${project}/compare?runs=${runs.map((r) => r.key).join(',')}`);
  await page.getByRole('button', { name: 'Save as report' }).click();
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}\?edit=1$/);
  const editor = page.getByRole('form', { name: 'Edit report' });
  await editor.getByLabel('Report title').fill('Width study');
  // The compare view's runs are the run set of every panel, its metrics the line panels, plus a runs table.
  await expect.poll(() => editor.locator('.report-block-edit').count()).toBe(4);
  expect(
    await editor
      .getByLabel(/^Runs of block/)
      .first()
      .inputValue(),
  ).toBe(runs.map((r) => r.key).join(', '));
  const intro = editor.getByLabel(/^Text of block/);
  await intro.fill(`# Wider is better\n\nThe **wider** net learns faster.\n\n${MALICIOUS}`);
  await editor.getByRole('button', { name: 'Save draft' }).click();
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
  const reportUrl = page.url();

  await page.getByRole('heading', { name: 'Wider is better' }).waitFor();
  const loss = page.getByLabel('chart loss', { exact: true });
  await expect.poll(async () => Number(await loss.getAttribute('data-lines'))).toBe(2);
  const table = page.getByRole('table', { name: 'Runs' });
  await table.getByRole('cell', { name: 'bob-wider' }).waitFor();
  await expectSanitised(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect.poll(() => page.getByLabel('Report status').innerText()).toContain('published v1');
  await screenshot(page, 'report-draft-published');

  await page.getByRole('button', { name: 'Share' }).click();
  const named = await createLink(page, false);
  const anonymised = await createLink(page, true);
  await page.getByText('Embed a panel').click();
  // The panels in report order: acc, loss, the runs table.
  const embedButton = page.getByRole('button', { name: 'Copy embed code' }).nth(1);
  await embedButton.click();
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  embedSrc = /src="([^"]+)"/.exec(snippet)![1]!;
  expect(embedSrc.startsWith(`${anonymised}/embed/`)).toBe(true);
  const links = page.getByRole('table', { name: 'Share links' });
  await expect.poll(() => links.getByRole('row').count()).toBe(3);
  expect(await links.innerText()).toContain('anonymised');
  await screenshot(page, 'report-share-dialog');

  // Someone without an account opens the named link.
  const outsider = await fresh();
  await outsider.goto(named);
  await outsider.getByRole('heading', { name: 'Width study' }).waitFor();
  const sharedLoss = outsider.getByLabel('chart loss', { exact: true });
  await expect.poll(async () => Number(await sharedLoss.getAttribute('data-lines'))).toBe(2);
  await outsider.getByRole('table', { name: 'Runs' }).getByRole('cell', { name: 'alice-baseline' }).waitFor();
  expect(await outsider.evaluate(() => localStorage.getItem('trackbase.session'))).toBeNull();
  await expectSanitised(outsider);
  await screenshot(outsider, 'report-shared-named');

  // The anonymised link shows the same panels with no run names, keys or project.
  const reviewer = await fresh();
  await reviewer.goto(anonymised);
  await reviewer.getByRole('heading', { name: 'Width study' }).waitFor();
  await expect.poll(async () => Number(await reviewer.getByLabel('chart loss', { exact: true }).getAttribute('data-lines'))).toBe(2);
  const blindTable = reviewer.getByRole('table', { name: 'Runs' });
  await expect.poll(() => blindTable.getByRole('cell', { name: /^run-[0-9a-f]{6}$/ }).count()).toBe(2);
  // The report's own text names the runs (its author wrote it); what the link adds says nothing about them.
  const shownData = await blindTable.innerText();
  for (const hidden of ['alice-baseline', 'bob-wider', ...runs.map((r) => r.key), project, 'Owner Olga'])
    expect(shownData).not.toContain(hidden);
  const pageText = await reviewer.locator('main').innerText();
  for (const hidden of ['alice-baseline', 'bob-wider', project, 'Owner Olga']) expect(pageText).not.toContain(hidden);
  await screenshot(reviewer, 'report-shared-anonymised');

  // A plain HTML page of another origin frames one panel.
  const wikiPage = await fresh();
  await wikiPage.goto(wikiUrl);
  const frame = wikiPage.frameLocator('iframe[title="Trackbase panel"]');
  const framed = frame.getByLabel('chart loss', { exact: true });
  await expect.poll(async () => Number(await framed.getAttribute('data-lines'))).toBe(2);
  expect(await frame.locator('.topbar').count()).toBe(0);
  // Only the embed may be framed by another site; the app's other pages, the full shared report included, refuse.
  const framing = async (url: string) => (await fetch(url, { headers: { accept: 'text/html' } })).headers.get('content-security-policy');
  expect(await framing(embedSrc)).toBeNull();
  expect(await framing(anonymised)).toBe("frame-ancestors 'self'");
  expect(await framing(reportUrl)).toBe("frame-ancestors 'self'");
  await screenshot(wikiPage, 'report-embedded-panel');

  // Revoking the named link ends it at once; the anonymised one still works.
  await links.getByRole('row').filter({ hasText: 'named' }).getByRole('button', { name: 'Revoke' }).click();
  await expect.poll(() => links.innerText()).toContain('revoked');
  await outsider.reload();
  await outsider.getByText('This link was revoked or has expired').waitFor();
  await reviewer.reload();
  await reviewer.getByRole('heading', { name: 'Width study' }).waitFor();
  await screenshot(outsider, 'report-shared-revoked');

  // A panel over a filter: one that does not parse is refused at save with the block's path, a good one draws what it matches.
  await page.goto(reportUrl);
  await page.getByRole('button', { name: 'Edit' }).click();
  await editor.getByRole('button', { name: 'Add panel' }).click();
  const added = editor.locator('.report-block-edit').last();
  await added.getByLabel(/^Title of block/).fill('Wide runs');
  await added.getByLabel(/^Metrics of block/).fill('loss');
  await added.getByLabel(/^Filter of block/).fill('params.width >');
  await editor.getByRole('button', { name: 'Save draft' }).click();
  const refusal = editor.getByRole('alert');
  await refusal.waitFor();
  expect(await refusal.innerText()).toContain('report_invalid_run_set');
  expect(await refusal.innerText()).toContain('blocks.4.runSet.filter');
  await added.getByLabel(/^Filter of block/).fill('params.width > 100');
  await editor.getByRole('button', { name: 'Save draft' }).click();
  await page.waitForURL(reportUrl);
  const wide = page.getByLabel('chart Wide runs', { exact: true });
  await expect.poll(async () => Number(await wide.getAttribute('data-lines'))).toBe(1);
  await screenshot(page, 'report-filter-panel');

  // The report is in the organization's list.
  await page.goto(`${t.url}/${org}/reports`);
  await page.getByRole('link', { name: 'Width study' }).click();
  await page.waitForURL(reportUrl);
});
