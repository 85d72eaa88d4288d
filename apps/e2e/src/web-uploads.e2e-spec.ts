import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Browser, Route } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { launch } from './browser';

// The web app's uploads go through the SDK's upload driver: parts in parallel, a fresh
// URL when the store refuses one as expired, completions in batch requests.
let t: TestApp;
let browser: Browser;

const PART = 5 * 1024 * 1024;

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist'), UPLOAD_PART_SIZE: String(PART) });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('a part URL that expires mid-upload is renewed, parts travel in parallel, and completions are batched', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const run = (await owner.api.post(`${projectPath}/runs`, { name: 'uploads' })).body;

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  const apiCalls: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'POST' && path.includes('/uploads/')) apiCalls.push(path.slice(path.indexOf('/uploads/')));
  });

  // The local store's PUTs: the first is held until a second arrives (the driver does not wait
  // for one part before sending the next), the second is refused once as expired.
  const puts: Route[] = [];
  let releaseFirst!: () => void;
  const secondArrived = new Promise<void>((r) => (releaseFirst = r));
  let firstReleasedBy = '';
  await page.route('**/api/v1/storage/objects/**', async (route) => {
    if (route.request().method() !== 'PUT') return route.continue();
    puts.push(route);
    if (puts.length === 1) {
      firstReleasedBy = await Promise.race([
        secondArrived.then(() => 'a second PUT'),
        new Promise<string>((r) => setTimeout(() => r('the timeout'), 15_000)),
      ]);
      return route.continue();
    }
    if (puts.length === 2) {
      releaseFirst();
      return route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'url_expired', message: 'this URL has expired' } }),
      });
    }
    return route.continue();
  });

  await page.goto(`${t.url}/${org}/${project}/runs/${run.key}?tab=files`);
  await page.getByText('No files yet').waitFor();
  const upload = page.getByRole('form', { name: 'Upload files' });
  // A file of three parts.
  const weights = Buffer.alloc(2 * PART + 4_321);
  for (let i = 0; i < weights.length; i += 4096) weights[i] = (i / 4096) % 251;
  await upload
    .getByLabel('Files', { exact: true })
    .setInputFiles([{ name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights }]);
  await upload.getByRole('button', { name: 'Upload' }).click();
  const uploads = upload.getByRole('list', { name: 'Uploads' });
  await expect.poll(() => uploads.textContent(), { timeout: 60_000 }).toMatch(/weights\.bin.*uploaded/);

  // The held PUT was released by a second one, not by the timeout: parts went out together.
  expect(firstReleasedBy).toBe('a second PUT');
  expect(puts.length).toBe(3 + 1);
  // Three parts asked for URLs, and the refused one asked once more.
  expect(apiCalls.filter((c) => c.endsWith('/part-urls'))).toHaveLength(4);
  expect(apiCalls.filter((c) => c.endsWith('/parts'))).toHaveLength(3);
  // Completions went through the batch route, never one upload at a time.
  expect(apiCalls.filter((c) => c === '/uploads/complete').length).toBeGreaterThanOrEqual(1);
  expect(apiCalls.filter((c) => /^\/uploads\/[^/]+\/complete$/.test(c))).toEqual([]);

  // What the server holds is the file, byte for byte.
  const signed = (await owner.api.get(`${projectPath}/runs/${run.key}/files/url?path=weights.bin`)).body.url as string;
  const downloaded = Buffer.from(await (await fetch(new URL(signed, t.url))).arrayBuffer());
  expect(downloaded.length).toBe(weights.length);
  expect(createHash('sha256').update(downloaded).digest('hex')).toBe(createHash('sha256').update(weights).digest('hex'));
});
