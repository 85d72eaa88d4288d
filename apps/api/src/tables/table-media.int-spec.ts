import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { TableMedia } from '@trackbase/contracts';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startS3rver, type TestS3 } from '../../test/s3rver';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll, sendUpload, sha256 } from '../../test/upload-client';

type Cell = number | string | boolean | null;

const png = (width: number, height: number, color: { r: number; g: number; b: number }) =>
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

function tableDocument(columns: Array<{ name: string; type: string }>, data: Cell[][]): Buffer {
  return Buffer.from(JSON.stringify({ format: 'trackbase.table/1', columns, rowCount: data[0]!.length, data }));
}

describe.each(['local', 's3'] as const)('media cells of tables on the %s store', (driverName) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let owner: TestUser;
  let projectPath: string;
  const tablesOf = (run: string) => `${projectPath}/runs/${run}/tables`;

  beforeAll(async () => {
    s3 = driverName === 's3' ? await startS3rver() : undefined;
    t = await startTestApp({ ...(s3?.env ?? {}) });
    owner = await signup(t.url, 'Owner');
    const org = (await createOrg(owner)).slug;
    const project = (await createProject(owner, org)).slug;
    projectPath = `/orgs/${org}/projects/${project}`;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  async function newRun(): Promise<string> {
    const response = await owner.api.post(`${projectPath}/runs`, {});
    expect(response.status).toBe(201);
    return response.body.key;
  }

  async function upload(run: string, contents: Record<string, Buffer>): Promise<void> {
    const declared = await owner.api.post(`${projectPath}/runs/${run}/media/objects`, {
      files: Object.entries(contents).map(([name, c]) => declaration(name, c)),
    });
    expect(declared.status).toBe(200);
    await sendAll(owner.api, projectPath, declared.body, contents);
  }

  async function logTables(run: string, tables: Array<{ key: string; doc: Buffer }>) {
    const declarations = tables.map((x) => ({ key: x.key, step: 0, size: x.doc.length, sha256: sha256(x.doc) }));
    const first = await owner.api.post(tablesOf(run), { tables: declarations });
    if (first.status !== 200) return first;
    for (const [i, result] of first.body.tables.entries()) {
      if (result.state === 'upload')
        expect((await sendUpload(owner.api, projectPath, result.upload, tables[i]!.doc))?.body.state).toBe('available');
    }
    return owner.api.post(tablesOf(run), { tables: declarations });
  }

  const COLUMNS = [
    { name: 'id', type: 'number' },
    { name: 'img', type: 'image' },
    { name: 'clip', type: 'audio' },
  ];

  it('stores image and audio cells, makes thumbnails, and answers each page with its media', async () => {
    const run = await newRun();
    const red = await png(640, 320, { r: 220, g: 0, b: 0 });
    const blue = await png(20, 10, { r: 0, g: 0, b: 220 });
    const clip = wav(8000, 1);
    await upload(run, { 'red.png': red, 'blue.png': blue, 'clip.wav': clip });
    const doc = tableDocument(COLUMNS, [
      [1, 2, 3],
      [sha256(red), null, sha256(blue)],
      [sha256(clip), sha256(clip), null],
    ]);
    const logged = await logTables(run, [{ key: 'samples', doc }]);
    expect(logged.status).toBe(200);
    expect(logged.body.tables[0]).toMatchObject({ state: 'ready', table: { columns: COLUMNS, rowCount: 3 } });

    const page = await owner.api.get(`${tablesOf(run)}/rows?key=samples&sort=-id`);
    expect(page.status).toBe(200);
    expect(page.body.rows).toEqual([
      [3, sha256(blue), null],
      [2, null, sha256(clip)],
      [1, sha256(red), sha256(clip)],
    ]);
    const media = page.body.media as Record<string, TableMedia>;
    expect(Object.keys(media).sort()).toEqual([sha256(red), sha256(blue), sha256(clip)].sort());
    expect(media[sha256(red)]).toMatchObject({ type: 'image', contentType: 'image/png', width: 640, height: 320 });
    expect(media[sha256(clip)]).toMatchObject({
      type: 'audio',
      contentType: 'audio/wav',
      sampleRate: 8000,
      duration: 1,
      thumbnailUrl: null,
    });

    const thumb = Buffer.from(await (await fetch(media[sha256(red)]!.thumbnailUrl!)).arrayBuffer());
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 128]);
    const original = Buffer.from(await (await fetch(media[sha256(red)]!.url)).arrayBuffer());
    expect(original.equals(red)).toBe(true);

    // A page names only its own rows' media; a filter on a media column works on presence.
    const filtered = await owner.api.get(`${tablesOf(run)}/rows?key=samples&filter=${encodeURIComponent('img IS NULL')}`);
    expect(filtered.body.rows).toEqual([[2, null, sha256(clip)]]);
    expect(Object.keys(filtered.body.media)).toEqual([sha256(clip)]);

    // A table without media columns answers without a media map.
    const plain = await logTables(run, [{ key: 'plain', doc: tableDocument([{ name: 'id', type: 'number' }], [[1]]) }]);
    expect(plain.status).toBe(200);
    expect((await owner.api.get(`${tablesOf(run)}/rows?key=plain`)).body.media).toBeUndefined();
  });

  it('image cells carry captions, boxes and masks (checked against the image), answered per page cell; bad ones refuse the table', async () => {
    const run = await newRun();
    const red = await png(640, 320, { r: 220, g: 0, b: 0 });
    const classMap = (w: number, h: number) =>
      sharp(Buffer.alloc(w * h, 1), { raw: { width: w, height: h, channels: 1 } })
        .png()
        .toBuffer();
    const mask = await classMap(640, 320);
    const small = await classMap(32, 16);
    await upload(run, { 'red.png': red, 'm.png': mask, 's.png': small });
    const boxes = {
      pred: {
        coordinates: 'fraction',
        format: 'xyxy',
        classNames: { '0': 'cat', '1': 'dog' },
        boxes: [
          { box: [0.1, 0.1, 0.4, 0.4], classId: 0, score: 0.9 },
          { box: [0.5, 0.5, 0.9, 0.9], classId: 1 },
        ],
      },
    };
    const document = (annotations: unknown, cells: Cell[] = [`${sha256(red)}#1`, sha256(red), `${sha256(red)}#0`]) =>
      Buffer.from(
        JSON.stringify({
          format: 'trackbase.table/1',
          columns: [
            { name: 'id', type: 'number' },
            { name: 'img', type: 'image' },
          ],
          rowCount: 3,
          data: [[1, 2, 3], cells],
          annotations,
        }),
      );
    const good = [
      { caption: 'first', boxes },
      { caption: 'second', masks: { seg: { sha256: sha256(mask), size: mask.length, classNames: { '1': 'road' } } } },
    ];
    const logged = await logTables(run, [{ key: 'annotated', doc: document({ img: good }) }]);
    expect(logged.status).toBe(200);
    expect(logged.body.tables[0].state).toBe('ready');
    expect(logged.body.tables[0].table.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'img', type: 'image' },
    ]);

    const page = await owner.api.get(`${tablesOf(run)}/rows?key=annotated&sort=-id`);
    expect(page.status).toBe(200);
    expect(page.body.rows.map((r: Cell[]) => r[1])).toEqual([`${sha256(red)}#0`, sha256(red), `${sha256(red)}#1`]);
    expect(Object.keys(page.body.media)).toEqual([sha256(red)]);
    expect(Object.keys(page.body.annotations).sort()).toEqual(['1#0', '1#1']);
    expect(page.body.annotations['1#0']).toEqual({ caption: 'first', boxes });
    expect(page.body.annotations['1#1'].caption).toBe('second');
    expect(page.body.annotations['1#1'].masks.seg.classNames).toEqual({ '1': 'road' });
    const maskBytes = Buffer.from(await (await fetch(page.body.annotations['1#1'].masks.seg.url)).arrayBuffer());
    expect(maskBytes.equals(mask)).toBe(true);
    // A page without annotated cells answers none.
    const plain = await owner.api.get(`${tablesOf(run)}/rows?key=annotated&filter=${encodeURIComponent('id = 2')}`);
    expect(plain.body.annotations).toBeUndefined();

    const refused = async (annotations: unknown, cells?: Cell[]) => {
      const response = await logTables(run, [{ key: `bad-${Math.random()}`, doc: document(annotations, cells) }]);
      expect(response.status).toBe(400);
      return response.body.error.code as string;
    };
    // A mask of another size than its image, a cell naming an annotation the document lacks, a box of the
    // wrong shape, annotations on a column that is not an image column, a mask never uploaded.
    expect(await refused({ img: [good[0], { masks: { seg: { sha256: sha256(small), size: small.length } } }] })).toBe('invalid_media_item');
    expect(await refused({ img: [good[0]] })).toBe('table_schema_mismatch');
    expect(await refused({ img: [{ boxes: { pred: { ...boxes.pred, boxes: [{ box: [1, 2] }] } } }, good[1]] })).toBe('invalid_table');
    expect(await refused({ id: good, img: good })).toBe('invalid_table');
    expect(await refused({ img: [good[0], { masks: { seg: { sha256: 'e'.repeat(64), size: 10 } } }] })).toBe('media_object_missing');
  });

  it('refuses a table whose media cells are missing, undecodable or not digests, and keeps the good table of the request', async () => {
    const run = await newRun();
    const good = await png(8, 8, { r: 0, g: 200, b: 0 });
    const garbage = Buffer.from('not an image, whatever the column says');
    await upload(run, { 'good.png': good, 'garbage.png': garbage });
    const image = [
      { name: 'id', type: 'number' },
      { name: 'img', type: 'image' },
    ];
    const logged = await logTables(run, [
      { key: 'good', doc: tableDocument(image, [[1], [sha256(good)]]) },
      { key: 'missing', doc: tableDocument(image, [[1], ['a'.repeat(64)]]) },
      {
        key: 'garbage',
        doc: tableDocument(image, [
          [1, 2],
          [sha256(good), sha256(garbage)],
        ]),
      },
      { key: 'not-a-digest', doc: tableDocument(image, [[1], ['cat.png']]) },
      { key: 'audio-as-image', doc: tableDocument([{ name: 'clip', type: 'audio' }], [[sha256(good)]]) },
    ]);
    expect(logged.status).toBe(200);
    expect(
      logged.body.tables.map((r: { key: string; state: string; error?: { code: string } }) => [r.key, r.state, r.error?.code]),
    ).toEqual([
      ['good', 'ready', undefined],
      ['missing', 'rejected', 'media_object_missing'],
      ['garbage', 'rejected', 'media_undecodable'],
      ['not-a-digest', 'rejected', 'table_schema_mismatch'],
      ['audio-as-image', 'rejected', 'media_undecodable'],
    ]);
    expect(logged.body.tables[2].error.message).toContain('row 1 of column "img"');
    const list = await owner.api.get(tablesOf(run));
    expect(list.body.tables.map((x: { key: string }) => x.key)).toEqual(['good']);
  });

  it('compares tables with image cells across runs, each cell resolved', async () => {
    const a = await newRun();
    const b = await newRun();
    const one = await png(4, 4, { r: 10, g: 10, b: 10 });
    const two = await png(4, 4, { r: 250, g: 250, b: 250 });
    await upload(a, { 'one.png': one });
    await upload(b, { 'two.png': two });
    const image = [
      { name: 'id', type: 'number' },
      { name: 'img', type: 'image' },
    ];
    expect((await logTables(a, [{ key: 'preds', doc: tableDocument(image, [[1], [sha256(one)]]) }])).status).toBe(200);
    expect((await logTables(b, [{ key: 'preds', doc: tableDocument(image, [[1], [sha256(two)]]) }])).status).toBe(200);
    const compared = await owner.api.get(`${projectPath}/tables/compare?key=preds&runs=${a},${b}&on=id`);
    expect(compared.status).toBe(200);
    expect(compared.body.rows).toEqual([[1, sha256(one), sha256(two)]]);
    expect(Object.keys(compared.body.media).sort()).toEqual([sha256(one), sha256(two)].sort());
    // Run b's table cannot name run a's object: objects belong to their run.
    const borrowed = await logTables(b, [{ key: 'borrowed', doc: tableDocument(image, [[1], [sha256(one)]]) }]);
    expect(borrowed.status).toBe(400);
    expect(borrowed.body.error.code).toBe('media_object_missing');
  });
});
