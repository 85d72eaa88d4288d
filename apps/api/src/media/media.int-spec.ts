import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { MediaItem, StoredMedia } from '@trackbase/contracts';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startS3rver, type TestS3 } from '../../test/s3rver';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll, sha256 } from '../../test/upload-client';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';

const png = (width: number, height: number, color = { r: 200, g: 30, b: 30 }) =>
  sharp({ create: { width, height, channels: 3, background: color } })
    .png()
    .toBuffer();

/** A PCM WAV of `seconds` of silence at `rate` Hz, mono 16-bit. */
function wav(rate: number, seconds: number): Buffer {
  const data = Buffer.alloc(rate * seconds * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe.each(['local', 's3'] as const)('media series on the %s store', (driverName) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let owner: TestUser;
  let org: string;
  let project: string;
  let projectPath: string;
  let seq = 0;

  beforeAll(async () => {
    s3 = driverName === 's3' ? await startS3rver() : undefined;
    t = await startTestApp({ ...(s3?.env ?? {}) });
    owner = await signup(t.url, 'Owner');
    org = (await createOrg(owner)).slug;
    project = (await createProject(owner, org)).slug;
    projectPath = `/orgs/${org}/projects/${project}`;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  async function newRun(): Promise<{ key: string; id: string }> {
    const response = await owner.api.post(`${projectPath}/runs`, {});
    expect(response.status).toBe(201);
    return { key: response.body.key, id: response.body.id };
  }

  /** Uploads contents as media objects of the run, as the SDKs do before sending the batch that names them. */
  async function upload(run: string, contents: Record<string, Buffer>): Promise<void> {
    const declared = await owner.api.post(`${projectPath}/runs/${run}/media/objects`, {
      files: Object.entries(contents).map(([name, c]) => declaration(name, c)),
    });
    expect(declared.status).toBe(200);
    await sendAll(owner.api, projectPath, declared.body, contents);
  }

  const ref = (content: Buffer) => ({ sha256: sha256(content), size: content.length });
  const send = (run: string, media: MediaItem[], extra: Record<string, unknown> = {}, batchSeq = seq++) =>
    owner.api.post(`${projectPath}/runs/${run}/batches`, { streamId: 'media-test', seq: batchSeq, media, ...extra });
  const list = async (run: string, key: string, query = '') => {
    const response = await owner.api.get(`${projectPath}/runs/${run}/media?key=${encodeURIComponent(key)}${query}`);
    expect(response.status).toBe(200);
    return response.body.items as StoredMedia[];
  };
  /** The items once the background job has settled every thumbnail (made or failed). */
  const settled = async (run: string, key: string) => {
    let items: StoredMedia[] = [];
    await expect
      .poll(
        async () => {
          items = await list(run, key);
          return items.some((i) => i.thumbnailState === 'pending');
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(false);
    return items;
  };

  it('keeps the good images of a batch, refuses each bad one with its own code, and makes thumbnails', async () => {
    const run = await newRun();
    const big = await png(640, 480);
    const jpeg = await sharp({ create: { width: 32, height: 16, channels: 3, background: '#00f' } })
      .jpeg()
      .toBuffer();
    const garbage = Buffer.from('this is not an image at all, whatever it claims');
    const mask = await sharp(Buffer.alloc(640 * 480, 1), { raw: { width: 640, height: 480, channels: 1 } })
      .png()
      .toBuffer();
    await upload(run.key, { 'a.png': big, 'b.jpg': jpeg, 'c.png': garbage, 'm.png': mask });
    const time = Date.now();
    const boxes = {
      predictions: {
        coordinates: 'pixel' as const,
        format: 'xyxy' as const,
        classNames: { '0': 'cat', '1': 'dog' },
        boxes: [
          { box: [10, 10, 100, 100] as [number, number, number, number], classId: 0, score: 0.9 },
          { box: [200, 200, 300, 300] as [number, number, number, number], classId: 1, score: 0.4 },
        ],
      },
    };
    const response = await send(
      run.key,
      [
        {
          key: 'samples',
          step: 3,
          time,
          index: 0,
          type: 'image',
          ...ref(big),
          caption: 'first',
          boxes,
          masks: { seg: { ...ref(mask), classNames: { '1': 'road' } } },
        },
        { key: 'samples', step: 3, time, index: 1, type: 'image', ...ref(jpeg) },
        { key: 'samples', step: 3, time, index: 2, type: 'image', ...ref(garbage) },
        { key: 'samples', step: 3, time, index: 3, type: 'image', sha256: 'f'.repeat(64), size: 10 },
        { key: 'samples', step: 3, time, index: 4000, type: 'image', ...ref(big) },
        { key: 'samples', step: 3, time, index: 5, type: 'image', ...ref(big), size: 30 * 1024 * 1024 },
      ],
      { metrics: [{ name: 'loss', steps: [3], values: [0.5], times: [time] }] },
    );
    expect(response.status).toBe(200);
    expect(response.body.points).toBe(1);
    expect(response.body.media.stored).toBe(2);
    expect(response.body.media.refused.map((r: { index: number; status: number; code: string }) => [r.index, r.status, r.code])).toEqual([
      [2, 400, 'media_undecodable'],
      [3, 400, 'media_object_missing'],
      [4, 400, 'invalid_media_item'],
      [5, 413, 'media_too_large'],
    ]);

    const items = await settled(run.key, 'samples');
    expect(items.map((i) => [i.index, i.contentType, i.width, i.height, i.thumbnailState])).toEqual([
      [0, 'image/png', 640, 480, 'ready'],
      [1, 'image/jpeg', 32, 16, 'ready'],
    ]);
    expect(items[0]!.caption).toBe('first');
    expect(items[0]!.boxes).toEqual(boxes);
    expect(items[0]!.masks?.seg?.classNames).toEqual({ '1': 'road' });
    const thumb = Buffer.from(await (await fetch(items[0]!.thumbnailUrl!)).arrayBuffer());
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 192]);
    const original = Buffer.from(await (await fetch(items[0]!.url!)).arrayBuffer());
    expect(sha256(original)).toBe(sha256(big));
    const maskBytes = Buffer.from(await (await fetch(items[0]!.masks!.seg!.url)).arrayBuffer());
    expect(sha256(maskBytes)).toBe(sha256(mask));

    const series = await owner.api.get(`${projectPath}/runs/${run.key}/series?names=loss`);
    expect(series.status).toBe(200);
  });

  it('a retried batch stores its items once; logging a position again replaces its item', async () => {
    const run = await newRun();
    const red = await png(20, 20);
    const green = await png(20, 20, { r: 0, g: 255, b: 0 });
    await upload(run.key, { 'r.png': red, 'g.png': green });
    const media: MediaItem[] = [{ key: 'x', step: 0, time: Date.now(), type: 'image', ...ref(red) }];
    const first = await send(run.key, media, {}, 9_000);
    const again = await send(run.key, media, {}, 9_000);
    expect([first.body.duplicate, again.body.duplicate]).toEqual([false, true]);
    expect(await list(run.key, 'x')).toHaveLength(1);
    await send(run.key, [{ key: 'x', step: 0, time: Date.now(), type: 'image', ...ref(green), caption: 'green' }]);
    const items = await list(run.key, 'x');
    expect(items.map((i) => [i.sha256, i.caption])).toEqual([[sha256(green), 'green']]);
  });

  it('stores histograms and evaluation charts as typed data and refuses malformed ones', async () => {
    const run = await newRun();
    const time = Date.now();
    const response = await send(run.key, [
      { key: 'weights', step: 1, time, type: 'histogram', data: { edges: [0, 1, 2], counts: [3, 4] } },
      { key: 'weights', step: 2, time, type: 'histogram', data: { edges: [0, 1], counts: [3, 4] } },
      {
        key: 'cm',
        step: 1,
        time,
        type: 'confusion_matrix',
        data: {
          classNames: ['a', 'b'],
          matrix: [
            [5, 1],
            [2, 7],
          ],
        },
      },
      { key: 'roc', step: 1, time, type: 'roc_curve', data: { curves: [{ className: 'a', x: [0, 0.5, 1], y: [0, 0.8, 1], auc: 0.8 }] } },
      { key: 'notes', step: 1, time, type: 'markdown', data: { text: '# Report\n<script>alert(1)</script>' } },
    ]);
    expect(response.status).toBe(200);
    expect(response.body.media.stored).toBe(4);
    expect(response.body.media.refused).toMatchObject([{ index: 1, code: 'invalid_media_item', key: 'weights', step: 2 }]);
    const cm = await list(run.key, 'cm');
    expect(cm[0]!.data).toEqual({
      classNames: ['a', 'b'],
      matrix: [
        [5, 1],
        [2, 7],
      ],
    });
    const keys = await owner.api.get(`${projectPath}/runs/${run.key}/media/keys`);
    expect(keys.body.keys.map((k: { key: string; type: string; steps: number[] }) => [k.key, k.type, k.steps])).toEqual([
      ['cm', 'confusion_matrix', [1]],
      ['notes', 'markdown', [1]],
      ['roc', 'roc_curve', [1]],
      ['weights', 'histogram', [1]],
    ]);
  });

  it('sniffs audio, video, documents and figures; serves documents as text, never for the browser to render', async () => {
    const run = await newRun();
    const sound = wav(8000, 2);
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(64)]);
    const html = Buffer.from('<html><body><script>parent.document.cookie</script>hello</body></html>');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/></svg>',
    );
    const plotly = Buffer.from(JSON.stringify({ data: [{ x: [1, 2], y: [3, 4], type: 'scatter' }] }));
    const notAudio = Buffer.from('no audio here');
    await upload(run.key, { 's.wav': sound, 'v.mp4': mp4, 'h.html': html, 'f.svg': svg, 'p.json': plotly, 'n.bin': notAudio });
    const time = Date.now();
    const response = await send(run.key, [
      { key: 'audio', step: 0, time, type: 'audio', ...ref(sound) },
      { key: 'video', step: 0, time, type: 'video', ...ref(mp4) },
      { key: 'report', step: 0, time, type: 'html', ...ref(html) },
      { key: 'fig', step: 0, time, type: 'figure', format: 'svg', ...ref(svg) },
      { key: 'plot', step: 0, time, type: 'figure', format: 'plotly', ...ref(plotly) },
      { key: 'svgimage', step: 0, time, type: 'image', ...ref(svg) },
      { key: 'audio', step: 1, time, type: 'audio', ...ref(notAudio) },
    ]);
    expect(response.status).toBe(200);
    expect(response.body.media.refused.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [5, 'media_type_mismatch'],
      [6, 'media_undecodable'],
    ]);
    const [audio] = await list(run.key, 'audio');
    expect([audio!.contentType, audio!.sampleRate, audio!.duration]).toEqual(['audio/wav', 8000, 2]);
    expect((await list(run.key, 'video'))[0]!.contentType).toBe('video/mp4');
    const [fig] = await settled(run.key, 'fig');
    expect([fig!.contentType, fig!.width, fig!.height, fig!.thumbnailUrl !== null]).toEqual(['image/svg+xml', 40, 20, true]);

    const [report] = await list(run.key, 'report');
    const served = await fetch(report!.url!);
    expect(served.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(served.headers.get('content-disposition')).toMatch(/attachment/);
    const doc = await owner.api.get(`${projectPath}/runs/${run.key}/media/document?key=report&step=0`);
    expect(doc.status).toBe(200);
    expect(doc.body.text).toBe(html.toString());
    const plot = await owner.api.get(`${projectPath}/runs/${run.key}/media/document?key=plot&step=0`);
    expect(JSON.parse(plot.body.text)).toEqual(JSON.parse(plotly.toString()));
    expect((await owner.api.get(`${projectPath}/runs/${run.key}/media/document?key=audio&step=0`)).status).toBe(404);
  });

  it('answers a grid of runs × keys at a step in one request, each cell at its latest step at or before it', async () => {
    const a = await newRun();
    const b = await newRun();
    const img = await png(8, 8);
    for (const run of [a, b]) {
      await upload(run.key, { 'i.png': img });
      await send(
        run.key,
        [0, 5, 10].flatMap((step) => [
          { key: 'samples', step, time: Date.now(), index: 0, type: 'image' as const, ...ref(img), caption: `${run.key}@${step}` },
          { key: 'samples', step, time: Date.now(), index: 1, type: 'image' as const, ...ref(img) },
        ]),
      );
    }
    const other = await signup(t.url, 'Other');
    const otherOrg = (await createOrg(other)).slug;
    const otherProject = (await createProject(other, otherOrg)).slug;
    const foreign = (await other.api.post(`/orgs/${otherOrg}/projects/${otherProject}/runs`, {})).body.id as string;

    const grid = await owner.api.post(`${projectPath}/media/grid`, {
      runs: [a.id, b.id, foreign],
      keys: ['samples', 'none'],
      step: 7,
      withSteps: true,
    });
    expect(grid.status).toBe(200);
    const cells = grid.body.cells as Array<{ runId: string; key: string; step: number | null; items: StoredMedia[]; steps: number[] }>;
    expect(cells.map((c) => [c.runId, c.key, c.step, c.items.length]).sort()).toEqual(
      [
        [a.id, 'none', null, 0],
        [a.id, 'samples', 5, 2],
        [b.id, 'none', null, 0],
        [b.id, 'samples', 5, 2],
      ].sort(),
    );
    expect(cells.find((c) => c.runId === a.id && c.key === 'samples')!.steps).toEqual([0, 5, 10]);
    const last = await owner.api.post(`${projectPath}/media/grid`, { runs: [a.id], keys: ['samples'] });
    expect(last.body.cells[0].items[0].caption).toBe(`${a.key}@10`);
  });

  it('signs media URLs per window: two grid answers within it name the same URLs, served private and immutable', async () => {
    const run = await newRun();
    const img = await png(300, 200, { r: 10, g: 200, b: 90 });
    const mask = await sharp(Buffer.alloc(300 * 200, 1), { raw: { width: 300, height: 200, channels: 1 } })
      .png()
      .toBuffer();
    await upload(run.key, { 'i.png': img, 'm.png': mask });
    await send(run.key, [
      { key: 'stable', step: 1, time: Date.now(), type: 'image', ...ref(img), masks: { seg: { ...ref(mask), classNames: { '1': 'x' } } } },
    ]);
    await settled(run.key, 'stable');
    const window = 900_000; // MEDIA_URL_WINDOW_SECONDS' default, in ms
    const ask = async () => {
      const response = await owner.api.post(`${projectPath}/media/grid`, { runs: [run.id], keys: ['stable'], step: 1 });
      expect(response.status).toBe(200);
      return response.body.cells[0].items[0] as StoredMedia;
    };
    let first: StoredMedia;
    let second: StoredMedia;
    let started: number;
    do {
      // Two answers in one window (asked again in the rare case the window turned between them).
      started = Date.now();
      first = await ask();
      // The second answer comes a clock second later: URLs signed "now" (expiry or date in seconds) would differ.
      const second0 = Math.floor(Date.now() / 1000);
      while (Math.floor(Date.now() / 1000) === second0) await new Promise((r) => setTimeout(r, 20));
      second = await ask();
    } while (Math.floor(started / window) !== Math.floor(Date.now() / window));
    expect(first.thumbnailUrl).toBeTruthy();
    expect([second.url, second.thumbnailUrl, second.masks?.seg?.url]).toEqual([first.url, first.thumbnailUrl, first.masks?.seg?.url]);
    const listed = (await list(run.key, 'stable'))[0]!;
    expect(listed.thumbnailUrl).toBe(first.thumbnailUrl);
    for (const url of [first.url!, first.thumbnailUrl!, first.masks!.seg!.url]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('private, max-age=1800, immutable');
      await response.arrayBuffer();
    }
  });

  it("a grid with a step per run (a slider on epoch or wall time) shows each run at its own step; keys list each step's time", async () => {
    const a = await newRun();
    const b = await newRun();
    const c = await newRun();
    const img = await png(8, 8);
    const t0 = Date.UTC(2026, 0, 1);
    for (const run of [a, b, c]) {
      await upload(run.key, { 'i.png': img });
      await send(
        run.key,
        [0, 5, 10].flatMap((step) => [
          {
            key: 'samples',
            step,
            time: t0 + step * 1000 + 7,
            index: 0,
            type: 'image' as const,
            ...ref(img),
            caption: `${run.key}@${step}`,
          },
          { key: 'samples', step, time: t0 + step * 1000, index: 1, type: 'image' as const, ...ref(img) },
        ]),
      );
    }
    const grid = await owner.api.post(`${projectPath}/media/grid`, {
      runs: [a.id, b.id, c.id],
      keys: ['samples'],
      step: 10,
      runSteps: { [a.id]: 4, [b.id]: null },
    });
    expect(grid.status).toBe(200);
    const stepOf = (id: string) => (grid.body.cells as Array<{ runId: string; step: number | null }>).find((x) => x.runId === id)!.step;
    expect([stepOf(a.id), stepOf(b.id), stepOf(c.id)]).toEqual([0, null, 10]);

    const keys = await owner.api.get(`${projectPath}/runs/${a.key}/media/keys`);
    expect(keys.body.keys).toEqual([
      expect.objectContaining({ key: 'samples', count: 6, steps: [0, 5, 10], times: [t0, t0 + 5000, t0 + 10000] }),
    ]);

    const bad = await owner.api.post(`${projectPath}/media/grid`, { runs: [a.id], keys: ['samples'], runSteps: { [a.id]: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeDefined();
  });

  it('refuses a truncated PNG and a truncated JPEG in the batch (media_undecodable, with their path) and keeps the good items beside them', async () => {
    const run = await newRun();
    const good = await png(512, 256, { r: 0, g: 120, b: 0 });
    const other = await png(64, 64, { r: 0, g: 0, b: 120 });
    // Images cut short: their headers are whole (format and size read fine), their pixel data is not.
    const noise = Buffer.from(Array.from({ length: 300 * 300 * 3 }, (_, i) => (i * 7919) % 251));
    const raw = { raw: { width: 300, height: 300, channels: 3 as const } };
    const noisyPng = await sharp(noise, raw).png({ compressionLevel: 0 }).toBuffer();
    const noisyJpeg = await sharp(noise, raw).jpeg({ quality: 95 }).toBuffer();
    const cutPng = noisyPng.subarray(0, Math.floor(noisyPng.length / 2));
    const cutJpeg = noisyJpeg.subarray(0, Math.floor(noisyJpeg.length * 0.6));
    expect((await sharp(cutJpeg).metadata()).width).toBe(300);
    await upload(run.key, { 'good.png': good, 'other.png': other, 'cut.png': cutPng, 'cut.jpg': cutJpeg });
    const time = Date.now();
    const response = await send(run.key, [
      { key: 'bg', step: 0, time, index: 0, type: 'image', ...ref(cutPng) },
      { key: 'bg', step: 0, time, index: 1, type: 'image', ...ref(good) },
      { key: 'bg', step: 0, time, index: 2, type: 'image', ...ref(cutJpeg) },
      { key: 'bg', step: 0, time, index: 3, type: 'image', ...ref(other) },
    ]);
    expect(response.status).toBe(200);
    expect(response.body.media.stored).toBe(2);
    expect(
      response.body.media.refused.map((r: { index: number; path: string; key: string; status: number; code: string }) => [
        r.index,
        r.path,
        r.key,
        r.status,
        r.code,
      ]),
    ).toEqual([
      [0, 'media.0', 'bg', 400, 'media_undecodable'],
      [2, 'media.2', 'bg', 400, 'media_undecodable'],
    ]);
    const items = await settled(run.key, 'bg');
    expect(items.map((i) => [i.index, i.width, i.height, i.thumbnailState, i.thumbnailUrl !== null])).toEqual([
      [1, 512, 256, 'ready', true],
      [3, 64, 64, 'ready', true],
    ]);
    const thumb = await sharp(Buffer.from(await (await fetch(items[0]!.thumbnailUrl!)).arrayBuffer())).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 256, 128]);
  });

  it('a thumbnail whose content the store cannot read for a while is retried until it is made', async () => {
    const run = await newRun();
    const img = await png(100, 50, { r: 90, g: 90, b: 0 });
    await upload(run.key, { 'r.png': img });
    // After the batch's own read (its header check), the store fails the next two reads of this object,
    // as an unreachable S3 would; the job must try again.
    const driver = t.app.get<StorageDriver>(STORAGE_DRIVER);
    const read = driver.read.bind(driver);
    let attempts = 0;
    driver.read = async (key, range) => {
      if (key.endsWith(sha256(img))) {
        attempts++;
        if (attempts === 2 || attempts === 3) throw new Error('store unreachable');
      }
      return read(key, range);
    };
    try {
      await send(run.key, [{ key: 'retry', step: 0, time: Date.now(), type: 'image', ...ref(img) }]);
      const [item] = await settled(run.key, 'retry');
      expect([item!.thumbnailState, item!.thumbnailError, item!.thumbnailUrl !== null]).toEqual(['ready', null, true]);
      expect(attempts).toBe(4); // the batch's header check, two failed reads of the job, the one that worked
    } finally {
      driver.read = read;
    }
  });

  it('counts media in the quota, refuses what exceeds it, and lets a viewer read but not write', async () => {
    const run = await newRun();
    const before = (await owner.api.get(`/orgs/${org}/storage`)).body.usedBytes as number;
    const img = await png(300, 300);
    await upload(run.key, { 'q.png': img });
    await send(run.key, [{ key: 'q', step: 0, time: Date.now(), type: 'image', ...ref(img) }]);
    await settled(run.key, 'q');
    const after = (await owner.api.get(`/orgs/${org}/storage`)).body.usedBytes as number;
    // The image and its thumbnail.
    expect(after).toBeGreaterThan(before + img.length);
    expect((await owner.api.put(`/orgs/${org}/storage`, { quotaBytes: after + 10 })).status).toBe(200);
    const huge = await owner.api.post(`${projectPath}/runs/${run.key}/media/objects`, {
      files: [{ path: 'big.png', size: 1000, sha256: 'a'.repeat(64) }],
    });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'storage_quota_exceeded']);
    await owner.api.put(`/orgs/${org}/storage`, { quotaBytes: null });

    const viewer = await addOrgMember(owner, org, 'member', 'viewer');
    await setProjectRole(owner, org, project, viewer.id, 'viewer');
    const read = await viewer.api.get(`${projectPath}/runs/${run.key}/media?key=q`);
    expect(read.status).toBe(200);
    expect(read.body.items).toHaveLength(1);
    const write = await viewer.api.post(`${projectPath}/runs/${run.key}/media/objects`, { files: [declaration('x.png', img)] });
    expect([write.status, write.body.error.code]).toEqual([403, 'forbidden']);
  });
});
