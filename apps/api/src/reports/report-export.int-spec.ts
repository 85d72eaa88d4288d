import type { DefaultTreeAdapterMap } from 'parse5';
import { parse } from 'parse5';
import sharp from 'sharp';
import type { MediaItem, ReportBlock } from '@trackbase/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll, sha256 } from '../../test/upload-client';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

let t: TestApp;
let owner: TestUser;
let reader: TestUser;
let outsider: TestUser;
let org: string;
let vision: string;
let reports: string;
let a: { id: string; key: string };
let b: { id: string; key: string };
let seq = 0;

const png = (color: { r: number; g: number; b: number }) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: color } })
    .png()
    .toBuffer();

async function newRun(params: Record<string, unknown>, name: string) {
  const response = await owner.api.post(`/orgs/${org}/projects/${vision}/runs`, { params, name });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; key: string };
}

async function logMetrics(run: { key: string }, steps: number[], offset: number) {
  const ack = await owner.api.post(`/orgs/${org}/projects/${vision}/runs/${run.key}/batches`, {
    streamId: 'export-test',
    seq: seq++,
    metrics: [
      { name: 'loss', steps, values: steps.map((s) => offset - s), times: steps.map((s) => 1_700_000_000_000 + s) },
      { name: 'acc', steps, values: steps.map((s) => offset / 100 + s / 10), times: steps.map((s) => 1_700_000_000_000 + s) },
    ],
  });
  expect(ack.status, JSON.stringify(ack.body)).toBe(200);
}

async function logImage(run: { key: string }, step: number, content: Buffer, caption: string) {
  const projectPath = `/orgs/${org}/projects/${vision}`;
  const declared = await owner.api.post(`${projectPath}/runs/${run.key}/media/objects`, { files: [declaration(`s${step}.png`, content)] });
  expect(declared.status).toBe(200);
  await sendAll(owner.api, projectPath, declared.body, { [`s${step}.png`]: content });
  const media: MediaItem[] = [
    { key: 'samples', step, time: Date.now(), index: 0, type: 'image', sha256: sha256(content), size: content.length, caption },
  ];
  const ack = await owner.api.post(`${projectPath}/runs/${run.key}/batches`, { streamId: 'export-media', seq: seq++, media });
  expect(ack.status, JSON.stringify(ack.body)).toBe(200);
}

/** Waits for the background thumbnailer (exports embed thumbnails). */
async function thumbnailsReady(run: { key: string }) {
  for (let attempt = 0; attempt < 600; attempt++) {
    const items = (await owner.api.get(`/orgs/${org}/projects/${vision}/runs/${run.key}/media?key=samples`)).body.items;
    if (items.every((i: { thumbnailState: string }) => i.thumbnailState === 'ready')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`thumbnails of ${run.key} not made`);
}

const MARKDOWN = [
  '# Findings',
  'The **loss** falls; $E = mc^2$.',
  '<script>window.pwned = 1</script>',
  '<img src="x" onerror="window.pwned = 2">',
  '',
  '![remote](https://tracker.example.com/pixel.png) <img src="//tracker.example.com/p.gif">',
  '',
  '<a href="javascript:alert(1)">click</a>',
  '',
  '| lr | note |',
  '| -- | ---- |',
  '| 0.1 | good |',
].join('\n');

const blocks = (): ReportBlock[] => [
  { id: 'intro', type: 'text', markdown: MARKDOWN },
  { id: 'loss', type: 'line', runSet: { project: vision, runs: [a.key, b.key] }, metrics: ['loss'] },
  { id: 'table', type: 'runs', runSet: { project: vision, runs: [a.key, b.key] }, metrics: ['acc'] },
  {
    id: 'scatter',
    type: 'scatter',
    runSet: { project: vision, runs: [a.key, b.key] },
    x: { kind: 'param', name: 'lr' },
    y: { kind: 'metric', name: 'loss' },
  },
  { id: 'parallel', type: 'parallel', runSet: { project: vision, runs: [a.key, b.key] }, params: ['lr', 'optimizer'], metrics: ['acc'] },
  { id: 'media', type: 'media', runSet: { project: vision, runs: [a.key, b.key] }, keys: ['samples'], freeze: { atPublication: true } },
];

function walk(node: Node, visit: (el: Element) => void) {
  if ('tagName' in node) visit(node);
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const child of children) walk(child, visit);
  if ('content' in node && node.content) walk(node.content as Node, visit);
}

/** Parses strictly (every parse error collected) and lists what the document would load or run. */
function inspect(html: string) {
  const errors: string[] = [];
  const doc = parse(html, { onParseError: (e) => errors.push(e.code) });
  const elements: Element[] = [];
  walk(doc, (el) => elements.push(el));
  const attr = (el: Element, name: string) => el.attrs.find((x) => x.name === name)?.value;
  return { errors, elements, attr };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  vision = (await createProject(owner, org, 'private')).slug;
  reports = `/orgs/${org}/reports`;
  reader = await addOrgMember(owner, org, 'member', 'Reader');
  outsider = await addOrgMember(owner, org, 'member', 'Outsider');
  await setProjectRole(owner, org, vision, reader.id, 'viewer');
  a = await newRun({ lr: 0.1, optimizer: 'adam' }, 'alpha-run');
  b = await newRun({ lr: 0.3, optimizer: 'sgd' }, 'beta-run');
  await logMetrics(a, [0, 1, 2], 10);
  await logMetrics(b, [0, 1, 2], 20);
  await logImage(a, 0, await png({ r: 200, g: 30, b: 30 }), 'red at 0');
  await logImage(a, 5, await png({ r: 30, g: 200, b: 30 }), 'green at 5');
  await logImage(b, 5, await png({ r: 30, g: 30, b: 200 }), 'blue at 5');
  await thumbnailsReady(a);
  await thumbnailsReady(b);
}, 180_000);
afterAll(() => t?.close());

async function makeReport() {
  const created = await owner.api.post(reports, { title: 'Export study', blocks: blocks() });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string };
}

describe('scatter, parallel-coordinates and media panels', () => {
  it('are saved and loaded with the report, and read exactly their run set', async () => {
    const report = await makeReport();
    const got = (await reader.api.get(`${reports}/${report.id}`)).body;
    expect(got.blocks.map((x: { type: string }) => x.type)).toEqual(['text', 'line', 'runs', 'scatter', 'parallel', 'media']);
    expect(got.blocks[3]).toMatchObject({ x: { kind: 'param', name: 'lr' }, y: { kind: 'metric', name: 'loss' } });

    const scatter = (await reader.api.post(`${reports}/${report.id}/data`, { block: 'scatter' })).body;
    expect(scatter.runs.map((r: { params: { lr: number } }) => r.params.lr)).toEqual([0.1, 0.3]);
    expect(scatter.series.map((s: { name: string; last: number }) => [s.name, s.last])).toEqual([
      ['loss', 8],
      ['loss', 18],
    ]);
    const parallel = (await reader.api.post(`${reports}/${report.id}/data`, { block: 'parallel' })).body;
    expect(parallel.series.map((s: { name: string }) => s.name)).toEqual(['acc', 'acc']);

    const media = (await reader.api.post(`${reports}/${report.id}/data`, { block: 'media' })).body;
    expect(media.media.steps).toEqual([0, 5]);
    expect(media.media.step).toBe(5);
    expect(
      media.media.cells.map((c: { runId: string; step: number; items: { caption: string }[] }) => [c.runId, c.step, c.items[0]?.caption]),
    ).toEqual(
      expect.arrayContaining([
        [a.id, 5, 'green at 5'],
        [b.id, 5, 'blue at 5'],
      ]),
    );
    const atZero = (await reader.api.post(`${reports}/${report.id}/data`, { block: 'media', step: 0 })).body;
    const cellA = atZero.media.cells.find((c: { runId: string }) => c.runId === a.id);
    expect([cellA.step, cellA.items[0].caption]).toEqual([0, 'red at 0']);
    expect(atZero.media.cells.find((c: { runId: string }) => c.runId === b.id).step).toBeNull();
  });

  it('are checked at save time: a bad panel answers 400 with the block path', async () => {
    const report = await makeReport();
    const bad = [
      { id: 'p', type: 'parallel', runSet: { project: vision, runs: [a.key] }, params: ['lr'] },
      {
        id: 's',
        type: 'scatter',
        runSet: { project: vision, runs: [a.key] },
        x: { kind: 'summary', name: 'lr' },
        y: { kind: 'metric', name: 'loss' },
      },
      { id: 'm', type: 'media', runSet: { project: vision, runs: [a.key] }, keys: [] },
    ];
    for (const [i, block] of bad.entries()) {
      const saved = await owner.api.patch(`${reports}/${report.id}`, { blocks: [{ id: 't', type: 'text', markdown: 'x' }, block] });
      expect(saved.status, JSON.stringify(saved.body)).toBe(400);
      expect(saved.body.error.details.map((d: { path: string }) => d.path).join(' '), `case ${i}`).toMatch(/^blocks\.1\./);
    }
  });

  it('freeze a media panel at publication: media logged later does not show in that version', async () => {
    const c = await newRun({ lr: 0.5 }, 'gamma-run');
    await logImage(c, 5, await png({ r: 90, g: 90, b: 90 }), 'grey at 5');
    const panel: ReportBlock = {
      id: 'media',
      type: 'media',
      runSet: { project: vision, runs: [c.key] },
      keys: ['samples'],
      freeze: { atPublication: true },
    };
    const created = await owner.api.post(reports, { title: 'Frozen media', blocks: [panel] });
    const id = created.body.id as string;
    expect((await owner.api.post(`${reports}/${id}/publish`)).status).toBe(201);
    await logImage(c, 9, await png({ r: 10, g: 10, b: 10 }), 'late');
    const frozen = (await reader.api.post(`${reports}/${id}/data`, { block: 'media', version: 1 })).body;
    expect(frozen.media.steps).toEqual([5]);
    expect(frozen.media.cells[0].items[0].caption).toBe('grey at 5');
    const asked = (await reader.api.post(`${reports}/${id}/data`, { block: 'media', version: 1, step: 9 })).body;
    expect(asked.media.cells[0].step).toBe(5);
    const live = (await reader.api.post(`${reports}/${id}/data`, { block: 'media' })).body;
    expect([live.media.steps, live.media.cells[0].items[0].caption]).toEqual([[5, 9], 'late']);
  });
});

describe('static HTML export', () => {
  it('is one self-contained file: it parses, holds each panel data, loads nothing and runs nothing', async () => {
    const report = await makeReport();
    const response = await reader.api.get(`${reports}/${report.id}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="Export-study.html"');
    const html = response.body as string;
    const { errors, elements, attr } = inspect(html);
    expect(errors).toEqual([]);

    const csp = elements.find((el) => el.tagName === 'meta' && attr(el, 'http-equiv') === 'Content-Security-Policy');
    expect(attr(csp!, 'content')).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    // Nothing runs: no script element and no event-handler attribute anywhere.
    expect(elements.filter((el) => el.tagName === 'script')).toEqual([]);
    expect(elements.flatMap((el) => el.attrs.filter((x) => x.name.startsWith('on')))).toEqual([]);
    expect(html).not.toContain('pwned');
    expect(html).not.toMatch(/javascript:/i);
    // Nothing loads: every src is a data: URI, and no URL of any kind (http, //) appears in the file.
    for (const el of elements)
      for (const x of el.attrs)
        if (['src', 'srcset', 'href', 'action', 'poster', 'data'].includes(x.name)) expect(x.value).toMatch(/^(data:|#)/);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/["'(]\/\//);
    expect(html).not.toMatch(/url\(/i);

    // Markdown rendered on the server: heading, emphasis, a GFM table, KaTeX as MathML.
    expect(elements.some((el) => el.tagName === 'h1' && html.includes('Findings'))).toBe(true);
    expect(html).toContain('<strong>loss</strong>');
    expect(elements.some((el) => el.tagName === 'math')).toBe(true);
    expect(html).toMatch(/<td>0\.1<\/td>\s*<td>good<\/td>/);

    // Each panel and its data.
    const section = (id: string) =>
      html.slice(html.indexOf(`data-block="${id}"`), html.indexOf('</section>', html.indexOf(`data-block="${id}"`)));
    expect(section('loss')).toMatch(/<svg class="chart"[^>]*aria-label="loss"/);
    expect((section('loss').match(/<polyline class="series"/g) ?? []).length).toBe(2);
    for (const row of ['<td>alpha-run</td><td>loss</td><td>2</td><td>8</td>', '<td>beta-run</td><td>loss</td><td>0</td><td>20</td>'])
      expect(section('loss')).toContain(row);
    expect(section('table')).toMatch(/<td>beta-run<\/td><td>\w+<\/td><td>0\.3<\/td><td>sgd<\/td><td>0\.4<\/td>/);
    expect((section('scatter').match(/<circle class="dot"/g) ?? []).length).toBe(2);
    expect(section('scatter')).toContain('<td>beta-run</td><td>0.3</td><td>18</td>');
    expect((section('parallel').match(/<polyline class="series"/g) ?? []).length).toBe(2);
    expect(section('parallel')).toContain('<td>alpha-run</td><td>0.1</td><td>adam</td><td>0.3</td>');
    const images = elements.filter((el) => el.tagName === 'img');
    expect(images.map((el) => attr(el, 'alt'))).toEqual(['alpha-run samples step 5', 'beta-run samples step 5']);
    for (const img of images) {
      const src = attr(img, 'src')!;
      expect(src).toMatch(/^data:image\/webp;base64,/);
      const meta = await sharp(Buffer.from(src.split(',')[1]!, 'base64')).metadata();
      expect(meta.format).toBe('webp');
    }
  });

  it('escapes every text it did not render as Markdown: titles, names, params, captions', async () => {
    const hostile = '<script>window.pwned=1</script><img src=x onerror=alert(1)>';
    const created = await owner.api.post(reports, {
      title: hostile,
      blocks: [
        { id: 'l', type: 'line', title: hostile, runSet: { project: vision, runs: [a.key] }, metrics: ['loss'] },
        {
          id: 'p',
          type: 'parallel',
          title: hostile,
          runSet: { project: vision, runs: [a.key] },
          params: [hostile, 'lr'],
          metrics: ['acc'],
        },
        {
          id: 's',
          type: 'scatter',
          runSet: { project: vision, runs: [a.key] },
          x: { kind: 'param', name: hostile },
          y: { kind: 'metric', name: 'loss' },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const response = await owner.api.get(`${reports}/${created.body.id}/export`);
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="script-window-pwned-1-script-img-src-x-onerror-alert-1.html"',
    );
    const { errors, elements } = inspect(response.body);
    expect(errors).toEqual([]);
    expect(elements.filter((el) => el.tagName === 'script' || el.tagName === 'img')).toEqual([]);
    expect(elements.flatMap((el) => el.attrs.filter((x) => x.name.startsWith('on')))).toEqual([]);
    expect(response.body).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt;');
  });

  it('is refused to whoever cannot read the report (404), and exports a published version through its share link', async () => {
    const report = await makeReport();
    expect((await outsider.api.get(`${reports}/${report.id}/export`)).status).toBe(404);
    expect((await reader.api.get(`${reports}/${report.id}/export?version=1`)).status).toBe(404);
    expect((await reader.api.get(`${reports}/${report.id}/export?version=abc`)).status).toBe(400);
    await owner.api.post(`${reports}/${report.id}/publish`);
    const v1 = await reader.api.get(`${reports}/${report.id}/export?version=1`);
    expect(v1.status).toBe(200);
    expect(v1.body).toContain('Version 1, published');

    const link = (await owner.api.post(`${reports}/${report.id}/share-links`, {})).body;
    const anonymous = reader.api.as(undefined);
    const shared = await anonymous.get(`/shared/reports/${link.token}/export`);
    expect(shared.status).toBe(200);
    expect(shared.body).toContain('alpha-run');
    expect(inspect(shared.body).errors).toEqual([]);

    const blind = (await owner.api.post(`${reports}/${report.id}/share-links`, { anonymised: true })).body;
    const hidden = (await anonymous.get(`/shared/reports/${blind.token}/export`)).body as string;
    expect(hidden).not.toContain('alpha-run');
    expect(hidden).not.toContain(vision);
    expect(hidden).toMatch(/run-[0-9a-f]{6}/);

    await owner.api.delete(`${reports}/${report.id}/share-links/${link.id}`);
    const gone = await anonymous.get(`/shared/reports/${link.token}/export`);
    expect([gone.status, gone.body.error.code]).toEqual([410, 'share_link_gone']);
  });
});
