import { resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import type { StoredMedia } from '@trackbase/contracts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createProject, signup } from '@trackbase/api/test/api-client';
import { startTestApp, type TestApp } from '@trackbase/api/test/test-app';
import { declaration, sendAll, sha256 } from '@trackbase/api/test/upload-client';
import { launch, screenshot } from './browser';
import { PNG } from './web-helpers';

// The media panel in compare: one slider moves every run, class toggles hide boxes, charts of two
// runs render, and hostile documents stay in their sandbox.
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp({ WEB_DIST_DIR: resolve(__dirname, '../../web/dist') });
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const HOSTILE_HTML = `<p id="out">waiting</p><script>
  let verdict = [];
  try { verdict.push('cookie:' + document.cookie); } catch (e) { verdict.push('cookie blocked'); }
  try { verdict.push('storage:' + localStorage.getItem('trackbase.session')); localStorage.setItem('pwned', '1'); } catch (e) { verdict.push('storage blocked'); }
  try { parent.document.title = 'pwned'; verdict.push('parent reached'); } catch (e) { verdict.push('parent blocked'); }
  document.getElementById('out').textContent = verdict.join(' | ');
</script>`;
const HOSTILE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30" onload="parent.document.title='pwned-svg'"><script>parent.document.title='pwned-svg'</script><rect width="60" height="30" fill="orange"/></svg>`;

it('the slider moves every run, a class toggle hides its boxes, charts render for two runs, hostile documents stay sandboxed', async () => {
  const owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const runs: Array<{ id: string; key: string }> = [];
  for (const name of ['alpha', 'beta']) {
    const run = (await owner.api.post(`${projectPath}/runs`, { name })).body;
    runs.push({ id: run.id, key: run.key });
    const contents = { 'i.png': PNG, 'h.html': Buffer.from(HOSTILE_HTML), 's.svg': Buffer.from(HOSTILE_SVG) };
    const declared = await owner.api.post(`${projectPath}/runs/${run.key}/media/objects`, {
      files: Object.entries(contents).map(([n, c]) => declaration(n, c)),
    });
    await sendAll(owner.api, projectPath, declared.body, contents);
    const ref = (c: Buffer) => ({ sha256: sha256(c), size: c.length });
    const time = Date.now();
    const boxes = {
      pred: {
        coordinates: 'fraction',
        format: 'xyxy',
        classNames: { '0': 'cat', '1': 'dog' },
        boxes: [
          { box: [0.1, 0.1, 0.5, 0.5], classId: 0, score: 0.9 },
          { box: [0.5, 0.5, 0.9, 0.9], classId: 1, score: 0.6 },
        ],
      },
    };
    const media = [
      ...[0, 5].map((step) => ({ key: 'samples', step, time, type: 'image', ...ref(PNG), caption: `${name}@${step}`, boxes })),
      {
        key: 'cm',
        step: 5,
        time,
        type: 'confusion_matrix',
        data: {
          classNames: ['cat', 'dog'],
          matrix: [
            [5, 1],
            [2, name === 'alpha' ? 7 : 3],
          ],
        },
      },
      {
        key: 'roc',
        step: 5,
        time,
        type: 'roc_curve',
        data: {
          curves: [{ className: 'cat', x: [0, 0.2, 1], y: [0, name === 'alpha' ? 0.9 : 0.6, 1], auc: name === 'alpha' ? 0.85 : 0.7 }],
        },
      },
      { key: 'report', step: 5, time, type: 'html', ...ref(contents['h.html']) },
      { key: 'figure', step: 5, time, type: 'figure', format: 'svg', ...ref(contents['s.svg']) },
    ];
    const ack = await owner.api.post(`${projectPath}/runs/${run.key}/batches`, { streamId: 'web', seq: 0, media });
    expect(ack.body.media).toEqual({ stored: media.length, refused: [] });
  }

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  await context.addCookies([{ name: 'secret', value: 'app-cookie', url: t.url }]);
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/compare?runs=${runs.map((r) => r.key).join(',')}`);
  const grid = page.getByRole('table', { name: 'Media' });
  const captions = () => grid.locator('td[data-key="samples"] figcaption').allTextContents();
  await expect.poll(captions, { timeout: 20_000 }).toEqual(['alpha@5', 'beta@5']);
  await expect.poll(() => page.getByTestId('media-step').textContent()).toBe('5');

  // One slider: both runs move to step 0.
  await page.getByRole('slider', { name: 'step' }).fill('0');
  await expect.poll(captions).toEqual(['alpha@0', 'beta@0']);
  await screenshot(page, 'media-compare-step-0');

  // Hiding "cat" removes every cat box and keeps the dogs.
  await expect.poll(() => grid.locator('.box[data-class="cat"]').count()).toBe(2);
  await page.getByLabel('pred: cat').uncheck();
  await expect.poll(() => grid.locator('.box[data-class="cat"]').count()).toBe(0);
  expect(await grid.locator('.box[data-class="dog"]').count()).toBe(2);

  // Back at step 5: a confusion matrix per run, and both runs' ROC curves in one chart.
  await page.getByRole('slider', { name: 'step' }).fill('1');
  await expect.poll(() => page.locator('table[aria-label^="confusion matrix"]').count(), { timeout: 10_000 }).toBe(2);
  const roc = page.locator('figure[aria-label="ROC roc"]');
  await expect.poll(() => roc.locator('polyline.curve').count()).toBe(2);
  expect(await roc.locator('polyline.curve').evaluateAll((lines) => lines.map((l) => l.getAttribute('data-run')))).toEqual(
    runs.map((r) => r.key),
  );

  // The hostile HTML ran in an opaque origin: no cookie, no storage, no parent; the SVG ran nothing.
  await expect
    .poll(
      async () => {
        const texts = await Promise.all(
          page
            .frames()
            .slice(1)
            .map((f) => f.evaluate(() => document.body.innerText).catch(() => '')),
        );
        return texts.filter((s) => s.includes('blocked')).length;
      },
      { timeout: 15_000 },
    )
    .toBe(2);
  const verdicts = await Promise.all(
    page
      .frames()
      .slice(1)
      .map((f) => f.evaluate(() => document.body.innerText).catch(() => '')),
  );
  for (const verdict of verdicts.filter((v) => v.includes('blocked'))) {
    expect(verdict).toContain('cookie blocked');
    expect(verdict).toContain('storage blocked');
    expect(verdict).toContain('parent blocked');
    expect(verdict).not.toContain('app-cookie');
  }
  expect(await page.title()).not.toContain('pwned');
  expect(await page.evaluate(() => localStorage.getItem('pwned'))).toBeNull();
  await page.locator('iframe[title^="figure"]').first().scrollIntoViewIfNeeded();
  await screenshot(page, 'media-compare-sandboxed');
  await context.close();
}, 120_000);

it('on an epoch axis and on wall time the slider moves every run to its own step of that epoch or time', async () => {
  const owner = await signup(t.url, 'Epochs');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const t0 = Date.UTC(2026, 0, 1);
  // fast logs 10 steps per epoch, slow 4: epoch 1 is step 10 in one and step 4 in the other.
  const plans = { fast: { per: 10, started: t0 }, slow: { per: 4, started: t0 + 500 } };
  const keys: string[] = [];
  for (const [name, plan] of Object.entries(plans)) {
    const run = (await owner.api.post(`${projectPath}/runs`, { name })).body;
    keys.push(run.key);
    const declared = await owner.api.post(`${projectPath}/runs/${run.key}/media/objects`, { files: [declaration('i.png', PNG)] });
    await sendAll(owner.api, projectPath, declared.body, { 'i.png': PNG });
    const steps = [0, 1, 2].map((e) => e * plan.per);
    const media = steps.map((step, e) => ({
      key: 'samples',
      step,
      time: plan.started + e * 60_000,
      type: 'image',
      sha256: sha256(PNG),
      size: PNG.length,
      caption: `${name} epoch ${e} step ${step}`,
    }));
    const metrics = [{ name: 'epoch', steps, values: [0, 1, 2], times: steps.map((_, e) => plan.started + e * 60_000) }];
    const ack = await owner.api.post(`${projectPath}/runs/${run.key}/batches`, { streamId: 'web', seq: 0, media, metrics });
    expect(ack.status).toBeLessThan(300);
  }

  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  await page.goto(`${t.url}/${org}/${project}/compare?runs=${keys.join(',')}`);
  const grid = page.getByRole('table', { name: 'Media' });
  const captions = () => grid.locator('td[data-key="samples"] figcaption').allTextContents();
  await expect.poll(captions, { timeout: 20_000 }).toEqual(['fast epoch 2 step 20', 'slow epoch 2 step 8']);

  // The step axis: step 8 is slow's last, fast is still at its step 0.
  await expect.poll(() => page.locator('select[aria-label="Media x axis"] option[value="metric:epoch"]').count()).toBe(1);
  const slider = page.getByRole('slider', { name: 'step' });
  await slider.fill('2'); // positions 0, 4, 8, 10, 20
  await expect.poll(captions).toEqual(['fast epoch 0 step 0', 'slow epoch 2 step 8']);

  await page.getByLabel('Media x axis').selectOption('metric:epoch');
  await expect.poll(() => slider.getAttribute('max')).toBe('2');
  await slider.fill('1');
  await expect.poll(captions).toEqual(['fast epoch 1 step 10', 'slow epoch 1 step 4']);
  expect(await page.getByTestId('media-step').textContent()).toBe('1');
  await screenshot(page, 'media-epoch-axis');
  await slider.fill('0');
  await expect.poll(captions).toEqual(['fast epoch 0 step 0', 'slow epoch 0 step 0']);

  // Wall time: slow started 0.5 s later, so at fast's second item's time slow is still at its first.
  await page.getByLabel('Media x axis').selectOption('time');
  await expect.poll(() => slider.getAttribute('max')).toBe('5');
  await slider.fill('2'); // t0, t0+0.5s, t0+60s, t0+60.5s, ...
  await expect.poll(captions).toEqual(['fast epoch 1 step 10', 'slow epoch 0 step 0']);
  await slider.fill('3');
  await expect.poll(captions).toEqual(['fast epoch 1 step 10', 'slow epoch 1 step 4']);

  // The axis is part of the page's layout: a reload opens on wall time again, then on the epoch.
  await page.reload();
  await expect.poll(() => page.getByLabel('Media x axis').inputValue(), { timeout: 20_000 }).toBe('time');
  await expect.poll(() => slider.getAttribute('max')).toBe('5');
  await expect.poll(() => page.getByTestId('media-step').textContent()).toMatch(/\d{4}-\d{2}-\d{2}|:/);
  await page.getByLabel('Media x axis').selectOption('metric:epoch');
  await expect.poll(() => slider.getAttribute('max')).toBe('2');
  await page.reload();
  await expect.poll(() => page.getByLabel('Media x axis').inputValue(), { timeout: 20_000 }).toBe('metric:epoch');
  await expect.poll(() => slider.getAttribute('max')).toBe('2');
  await expect.poll(captions).toEqual(['fast epoch 2 step 20', 'slow epoch 2 step 8']);
  await screenshot(page, 'media-axis-restored');

  // The run page keeps its own choice the same way.
  await page.goto(`${t.url}/${org}/${project}/runs/${keys[0]}?tab=media`);
  await expect.poll(() => page.getByLabel('Media x axis').inputValue(), { timeout: 20_000 }).toBe('step');
  await page.getByLabel('Media x axis').selectOption('relative');
  await page.reload();
  await expect.poll(() => page.getByLabel('Media x axis').inputValue(), { timeout: 20_000 }).toBe('relative');
  await context.close();
}, 120_000);

const BREAKOUT = `</script><script>parent.document.title='pwned-fig';localStorage.setItem('pwned','1')</script><img src=x onerror="parent.document.title='pwned-img'">`;

it('Plotly and Vega-Lite figures render interactively in the sandbox; a hostile figure reaches neither storage nor cookies', async () => {
  const owner = await signup(t.url, 'Figures');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const run = (await owner.api.post(`${projectPath}/runs`, { name: 'figs' })).body;
  const contents = {
    'p.json': Buffer.from(
      JSON.stringify({ data: [{ x: [1, 2, 3], y: [2, 1, 3], type: 'scatter', name: BREAKOUT }], layout: { title: { text: BREAKOUT } } }),
    ),
    'v.json': Buffer.from(
      JSON.stringify({
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        data: {
          values: [
            { a: 'x', b: 3 },
            { a: 'y', b: 5 },
            { a: BREAKOUT, b: 1 },
          ],
        },
        mark: 'bar',
        encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
      }),
    ),
    // Vega's loader is pointed at the app's API: the frame may fetch nothing.
    'w.json': Buffer.from(
      JSON.stringify({
        data: { url: `${t.url}/api/v1/figure-exfiltration.json` },
        mark: 'point',
        encoding: { x: { field: 'id', type: 'nominal' } },
      }),
    ),
  };
  const declared = await owner.api.post(`${projectPath}/runs/${run.key}/media/objects`, {
    files: Object.entries(contents).map(([n, c]) => declaration(n, c)),
  });
  await sendAll(owner.api, projectPath, declared.body, contents);
  const ref = (c: Buffer) => ({ sha256: sha256(c), size: c.length });
  const time = Date.now();
  const media = [
    { key: 'plotly', step: 1, time, type: 'figure', format: 'plotly', ...ref(contents['p.json']) },
    { key: 'vega', step: 1, time, type: 'figure', format: 'vega-lite', ...ref(contents['v.json']) },
    { key: 'vegaFetch', step: 1, time, type: 'figure', format: 'vega-lite', ...ref(contents['w.json']) },
  ];
  const ack = await owner.api.post(`${projectPath}/runs/${run.key}/batches`, { streamId: 'web', seq: 0, media });
  expect(ack.body.media).toEqual({ stored: 3, refused: [] });

  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  await context.addCookies([{ name: 'secret', value: 'app-cookie', url: t.url }]);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${t.url}/${org}/${project}/runs/${run.key}?tab=media`);
  const frameOf = async (key: string) => {
    const handle = await page.waitForSelector(`iframe.media-figure[title="${key} at step 1"]`, { timeout: 20_000 });
    expect(await handle.getAttribute('sandbox')).toBe('allow-scripts');
    return (await handle.contentFrame())!;
  };
  const plotly = await frameOf('plotly');
  await expect
    .poll(() => plotly.evaluate(() => document.body.dataset.rendered ?? document.body.dataset.error ?? ''), { timeout: 20_000 })
    .toBe('plotly');
  expect(await plotly.locator('svg.main-svg').count()).toBeGreaterThan(0);
  const vega = await frameOf('vega');
  await expect
    .poll(() => vega.evaluate(() => document.body.dataset.rendered ?? document.body.dataset.error ?? ''), { timeout: 20_000 })
    .toBe('vega-lite');
  expect(await vega.locator('svg.marks').count()).toBe(1);
  // The renderers came from the app itself, never from a CDN.
  expect(requests.filter((u) => u.includes('/sandbox/')).map((u) => new URL(u).origin)).toEqual(
    expect.arrayContaining([new URL(t.url).origin]),
  );
  expect(requests.filter((u) => /plot\.ly|jsdelivr|unpkg|cdn/.test(u))).toEqual([]);

  // Inside a figure's frame: an opaque origin, so no cookie, no storage, no parent.
  for (const frame of [plotly, vega]) {
    const verdict = await frame.evaluate(() => {
      const out: string[] = [];
      try {
        out.push('cookie:' + document.cookie);
      } catch {
        out.push('cookie blocked');
      }
      try {
        out.push('storage:' + localStorage.getItem('trackbase.session'));
      } catch {
        out.push('storage blocked');
      }
      try {
        out.push('parent:' + parent.document.title);
      } catch {
        out.push('parent blocked');
      }
      return out.join(' | ');
    });
    expect(verdict).toBe('cookie blocked | storage blocked | parent blocked');
  }
  // The hostile text stayed data: nothing in it ran, and the frame fetched nothing from the API.
  const vegaFetch = await frameOf('vegaFetch');
  await expect
    .poll(() => vegaFetch.evaluate(() => document.body.dataset.rendered ?? document.body.dataset.error ?? ''), { timeout: 20_000 })
    .not.toBe('');
  expect(await page.title()).not.toContain('pwned');
  expect(await page.evaluate(() => localStorage.getItem('pwned'))).toBeNull();
  expect(requests.filter((u) => u.includes('figure-exfiltration'))).toEqual([]);
  await screenshot(page, 'media-figures');
  await context.close();
}, 120_000);

/** A solid `rgb` PNG of `size`×`size` (distinct bytes per colour, so distinct objects). */
function solidPng(size: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  const idat = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

it('a slider moved back to a step it showed, or to a neighbouring step, makes no new image request', async () => {
  const owner = await signup(t.url, 'Slider');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const projectPath = `/orgs/${org}/projects/${project}`;
  const steps = [0, 1, 2, 3, 4];
  const runs: Array<{ id: string; key: string }> = [];
  for (const [r, name] of ['alpha', 'beta'].entries()) {
    const run = (await owner.api.post(`${projectPath}/runs`, { name })).body;
    runs.push({ id: run.id, key: run.key });
    // A different image per run and step (300 px, so each gets a thumbnail of its own).
    const images = steps.map((s) => solidPng(300, [40 * s, r ? 200 : 20, 90]));
    const contents = Object.fromEntries(images.map((c, s) => [`${s}.png`, c]));
    const declared = await owner.api.post(`${projectPath}/runs/${run.key}/media/objects`, {
      files: Object.entries(contents).map(([n, c]) => declaration(n, c)),
    });
    await sendAll(owner.api, projectPath, declared.body, contents);
    const media = steps.map((step) => ({
      key: 'samples',
      step,
      time: Date.now(),
      type: 'image',
      sha256: sha256(images[step]!),
      size: images[step]!.length,
      caption: `${name}@${step}`,
    }));
    const ack = await owner.api.post(`${projectPath}/runs/${run.key}/batches`, { streamId: 'web', seq: 0, media });
    expect(ack.body.media).toEqual({ stored: steps.length, refused: [] });
  }
  // Thumbnails are made in the background; the grid names them once they are.
  await expect
    .poll(
      async () => {
        let pending = 0;
        for (const step of steps) {
          const grid = await owner.api.post(`${projectPath}/media/grid`, { runs: runs.map((r) => r.id), keys: ['samples'], step });
          for (const cell of grid.body.cells as Array<{ items: StoredMedia[] }>)
            pending += cell.items.filter((i) => i.thumbnailState !== 'ready').length;
        }
        return pending;
      },
      { timeout: 60_000, interval: 250 },
    )
    .toBe(0);

  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.addInitScript((session) => localStorage.setItem('trackbase.session', session), JSON.stringify(owner.tokens));
  const page = await context.newPage();
  // Image answers that reached the network (not the browser's caches), and requests still under way, seen by Chromium itself.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const fetched: string[] = [];
  const pending = new Set<string>();
  cdp.on('Network.requestWillBeSent', (e) => pending.add(e.requestId));
  cdp.on('Network.loadingFinished', (e) => pending.delete(e.requestId));
  cdp.on('Network.loadingFailed', (e) => pending.delete(e.requestId));
  cdp.on('Network.requestServedFromCache', (e) => pending.delete(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    const r = e.response;
    if (e.type === 'Image' && !r.fromDiskCache && !r.fromPrefetchCache && !r.fromServiceWorker) fetched.push(r.url);
  });
  await page.goto(`${t.url}/${org}/${project}/compare?runs=${runs.map((r) => r.key).join(',')}`);
  const grid = page.getByRole('table', { name: 'Media' });
  const slider = page.getByRole('slider', { name: 'step' });
  const captions = () => grid.locator('td[data-key="samples"] figcaption').allTextContents();
  /** The grid shows `step` in both runs with every image loaded, and nothing is under way (prefetches included). */
  const showing = async (step: number) => {
    await expect.poll(captions, { timeout: 20_000 }).toEqual([`alpha@${step}`, `beta@${step}`]);
    await expect
      .poll(() =>
        grid
          .locator('img')
          .evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)),
      )
      .toBe(true);
    for (let settled = 0; settled < 2; settled++) {
      await expect.poll(() => pending.size, { timeout: 20_000 }).toBe(0);
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
    }
  };

  await showing(4);
  const thumbs = await grid.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
  expect(thumbs.every((src) => fetched.includes(src))).toBe(true);
  await slider.fill('2'); // a step not seen nor adjacent: its images are fetched
  await showing(2);
  const seen = fetched.length;
  expect(seen).toBeGreaterThan(thumbs.length);

  // Back to steps shown before (3 was only fetched ahead, from 4): not one image request.
  for (const position of [3, 4, 3, 2]) {
    await slider.fill(String(position));
    await showing(position);
    expect({ position, fetched: fetched.slice(seen) }).toEqual({ position, fetched: [] });
  }
  // A step never shown but next to the last one: its images were fetched ahead, so none of them is
  // requested now (only the next neighbour, step 0, is fetched ahead in turn).
  const before = fetched.length;
  await slider.fill('1');
  await showing(1);
  const shown = await grid.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
  expect(shown).toHaveLength(2);
  expect(shown.filter((src) => fetched.slice(before).includes(src))).toEqual([]);
  expect(shown.every((src) => fetched.slice(0, before).includes(src))).toBe(true);
  await screenshot(page, 'media-slider-cached');
  await context.close();
}, 180_000);
