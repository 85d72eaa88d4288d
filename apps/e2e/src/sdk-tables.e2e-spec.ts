import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { createHash } from 'node:crypto';
import { Audio, encodePng, Image, init, Table } from '@trackbase/sdk';
import { runNode, setupProject, tempDir } from './sdk-helpers';

// Tables logged with the TypeScript SDK against the real API running as its own process.
const CLI = resolve(__dirname, '../../../libs/sdk/dist/cli.js');
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;

beforeAll(async () => {
  server = await ServerProcess.start();
  p = await setupProject(server.url);
}, 120_000);
afterAll(() => server.stop());

const common = () => ({
  url: server.url,
  apiKey: p.key,
  project: p.ref,
  systemMetricsIntervalMs: 0,
  exitHandlers: false,
  context: false as const,
  log: () => undefined,
});

async function rows(run: string, query: string) {
  const response = await fetch(`${server.url}/api/v1/orgs/${p.org}/projects/${p.project}/runs/${run}/tables/rows?${query}`, {
    headers: { authorization: `Bearer ${p.key}` },
  });
  return { status: response.status, body: await response.json() };
}

describe('tables from the TypeScript SDK', () => {
  // Was skipped as "uploads/complete fails with ECONNREFUSED": finish()'s wait loop re-kicked an empty
  // batch queue each turn, so it raced a promise that settled at once, never yielded to I/O and the
  // table's upload starved (the worker ran out of heap). Run.kick() now does nothing with an empty queue.
  it('a table of rows and one of columns arrive typed, beside the metrics of their step', async () => {
    const run = await init({ ...common(), dir: tempDir('tb-tables-'), name: 'tables' });
    const preds = new Table({
      columns: ['id', 'label', { name: 'score', type: 'number' }, 'ok'],
      rows: [
        [1, 'cat', 0.9, true],
        [2, 'dog', null, false],
        [3, 'cat', NaN, true],
      ],
    });
    await run.log({ loss: 0.5, preds }, 7);
    await run.log({ byColumn: new Table({ data: { x: [3, 1, 2], name: ['c', 'a', 'b'] } }) }, 8);
    const done = await run.finish();
    expect(done).toMatchObject({ delivered: true, dropped: [] });

    const page = await rows(run.key!, 'key=preds&sort=-id');
    expect(page.body.table).toMatchObject({
      step: 7,
      rowCount: 3,
      columns: [
        { name: 'id', type: 'number' },
        { name: 'label', type: 'string' },
        { name: 'score', type: 'number' },
        { name: 'ok', type: 'bool' },
      ],
    });
    expect(page.body.rows).toEqual([
      [3, 'cat', 'NaN', true],
      [2, 'dog', null, false],
      [1, 'cat', 0.9, true],
    ]);
    expect((await rows(run.key!, 'key=byColumn&sort=x')).body.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('images and audio in table rows are uploaded as media objects and each page names them with thumbnails', async () => {
    const run = await init({ ...common(), dir: tempDir('tb-tables-media-'), name: 'table-media' });
    // 300×150 RGB pixels (red left half, green right half), the same image as PNG bytes, and a WAV.
    const width = 300;
    const height = 150;
    const pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) pixels[i * 3 + (i % width < width / 2 ? 0 : 1)] = 255;
    const png = encodePng(pixels.subarray(0, 40 * 20 * 3), 40, 20, 3);
    const wav = Buffer.alloc(44 + 16000);
    wav.write('RIFF', 0, 'latin1');
    wav.writeUInt32LE(36 + 16000, 4);
    wav.write('WAVEfmt ', 8, 'latin1');
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(8000, 24);
    wav.writeUInt32LE(16000, 28);
    wav.writeUInt16LE(2, 32);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36, 'latin1');
    wav.writeUInt32LE(16000, 40);
    const samples = new Table({
      columns: ['id', 'input', 'clip'],
      rows: [
        [1, new Image({ data: pixels, width, height, channels: 3 }), new Audio(wav)],
        [2, new Image(png), null],
        [3, null, new Audio(wav)],
      ],
    });
    expect(samples.columns.map((c) => c.type)).toEqual(['number', 'image', 'audio']);
    expect(samples.media).toHaveLength(3); // the pixels' PNG, the PNG bytes, the WAV once
    await run.log({ samples }, 2);
    expect(await run.finish()).toMatchObject({ delivered: true, dropped: [] });

    const page = await rows(run.key!, 'key=samples&sort=id');
    expect(page.status).toBe(200);
    const [first, second, third] = page.body.rows as Array<[number, string | null, string | null]>;
    expect([first![1] !== null, second![2], third![1]]).toEqual([true, null, null]);
    expect(first![2]).toBe(third![2]);
    const input = page.body.media[first![1]!];
    expect(input).toMatchObject({ type: 'image', contentType: 'image/png', width, height });
    const thumb = Buffer.from(await (await fetch(input.thumbnailUrl)).arrayBuffer());
    expect([thumb.subarray(0, 4).toString('latin1'), thumb.subarray(8, 12).toString('latin1')]).toEqual(['RIFF', 'WEBP']);
    const original = Buffer.from(await (await fetch(input.url)).arrayBuffer());
    expect(original.equals(encodePng(pixels, width, height, 3))).toBe(true);
    expect(second![1]).toBe(createHash('sha256').update(png).digest('hex'));
    expect(page.body.media[second![1]!]).toMatchObject({ width: 40, height: 20 });
    expect(page.body.media[first![2]!]).toMatchObject({ type: 'audio', contentType: 'audio/wav', sampleRate: 8000, duration: 1 });
  });

  it('mistakes are TypeErrors at the call, before anything is journalled', async () => {
    expect(() => new Table({ columns: ['a', 'b'], rows: [[1, 2], [3]] })).toThrow(TypeError);
    expect(() => new Table({ data: { a: [1, 'two'] } })).toThrow(/holds number values/);
    expect(() => new Table({ data: { a: [1], b: [1, 2] } })).toThrow(/different lengths/);
    expect(() => new Table({ data: { a: [new Image(new Uint8Array([0x89, 0x50])), 'cat.png'] } })).toThrow(/holds image values/);
  });

  it('a process killed with SIGKILL after logging a table loses nothing: sync delivers it', async () => {
    const dir = tempDir('tb-tables-killed-');
    const script = `
      const { init, Image, Table } = require(${JSON.stringify(resolve(__dirname, '../../../libs/sdk/dist/index.js'))});
      (async () => {
        const run = await init({ url: ${JSON.stringify(server.url)}, apiKey: ${JSON.stringify(p.key)}, project: ${JSON.stringify(p.ref)},
          mode: 'offline', dir: ${JSON.stringify(dir)}, systemMetricsIntervalMs: 0, context: false, log: () => {} });
        const ids = Array.from({ length: 5000 }, (_, i) => i);
        await run.log({ preds: new Table({ data: { id: ids, even: ids.map((i) => i % 2 === 0) } }) }, 3);
        const dot = new Image({ data: new Uint8Array(4 * 4 * 3).fill(128), width: 4, height: 4, channels: 3 });
        await run.log({ dots: new Table({ columns: ['id', 'img'], rows: [[1, dot], [2, null]] }) }, 3);
        process.stdout.write('logged\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const journal = readdirSync(join(dir, 'runs'))[0]!;
    expect(readdirSync(join(dir, 'runs', journal, 'tables')).some((f) => f.endsWith('.pending'))).toBe(true);

    const synced = await runNode(CLI, ['sync', '--json'], {
      ...process.env,
      TRACKBASE_URL: server.url,
      TRACKBASE_API_KEY: p.key,
      TRACKBASE_DIR: dir,
    });
    expect(synced.code, synced.stderr).toBe(0);
    const result = JSON.parse(synced.stdout).runs[0];
    expect(result.tables).toBe(2);
    const page = await rows(result.runKey, `key=preds&filter=${encodeURIComponent('even = true AND id >= 4990')}&sort=-id`);
    expect(page.body).toMatchObject({ matchedRows: 5, table: { step: 3, rowCount: 5000 } });
    expect(page.body.rows[0]).toEqual([4998, true]);
    const dots = await rows(result.runKey, 'key=dots&sort=id');
    const img = dots.body.rows[0][1] as string;
    expect(dots.body.media[img]).toMatchObject({ type: 'image', width: 4, height: 4 });
    expect(readdirSync(join(dir, 'runs', journal, 'tables')).filter((f) => f.endsWith('.pending'))).toEqual([]);
  });
});
