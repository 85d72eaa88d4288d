import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMedia } from '@trackbase/contracts';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { Histogram, Image, init, plot } from '@trackbase/sdk';
import { runNode, setupProject, tempDir } from './sdk-helpers';

// Media logged through the TypeScript SDK against the real API running as its own process.
const CLI = resolve(__dirname, '../../../libs/sdk/dist/cli.js');
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;

beforeAll(async () => {
  server = await ServerProcess.start();
  p = await setupProject(server.url);
}, 120_000);
afterAll(() => server.stop());

async function media(run: string, key: string): Promise<StoredMedia[]> {
  const response = await fetch(
    `${server.url}/api/v1/orgs/${p.org}/projects/${p.project}/runs/${run}/media?key=${encodeURIComponent(key)}`,
    {
      headers: { authorization: `Bearer ${p.key}` },
    },
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: StoredMedia[] }).items;
}

describe('media from the TypeScript SDK', () => {
  it('images, histograms and charts logged with a step are uploaded in the background and stored once', async () => {
    const messages: string[] = [];
    const run = await init({
      url: server.url,
      apiKey: p.key,
      project: p.ref,
      dir: tempDir('tb-media-'),
      systemMetricsIntervalMs: 0,
      exitHandlers: false,
      context: false,
      flushIntervalMs: 50,
      log: (m) => messages.push(m),
    });
    for (let step = 0; step < 3; step++) {
      const samples = [0, 1].map(
        (i) =>
          new Image(
            { data: Float32Array.from({ length: 12 * 8 * 3 }, () => Math.random()), width: 12, height: 8, channels: 3 },
            { caption: `s${i}` },
          ),
      );
      await run.log({ loss: 1 / (step + 1), samples, weights: new Histogram([1, 2, 2, 3, step]) }, step);
    }
    // The server refuses this one on its own (not an image): the rest of its batch is kept.
    await run.log(
      { cm: plot.confusionMatrix([0, 1, 1], [0, 1, 0], ['a', 'b']), bad: new Image(new TextEncoder().encode('not an image')) },
      3,
    );
    const result = await run.finish();
    // Everything was sent; the one refused item is reported, so the run does not count as fully delivered.
    expect([result.delivered, result.remainingBatches]).toEqual([false, 0]);
    expect(result.dropped.map((d) => [d.key, d.code])).toEqual([['media.bad@3', 'media_undecodable']]);
    const items = await media(run.key!, 'samples');
    expect(items.map((i) => [i.step, i.index, i.caption, i.width, i.height])).toEqual(
      [0, 1, 2].flatMap((s) => [
        [s, 0, 's0', 12, 8],
        [s, 1, 's1', 12, 8],
      ]),
    );
    expect((await media(run.key!, 'weights')).length).toBe(3);
    expect((await media(run.key!, 'cm'))[0]!.data).toEqual({
      classNames: ['a', 'b'],
      matrix: [
        [1, 0],
        [1, 1],
      ],
    });
  });

  it('a journalled image survives a SIGKILL before upload: sync sends it', async () => {
    const dir = tempDir('tb-media-killed-');
    const script = `
      const sdk = require(${JSON.stringify(resolve(__dirname, '../../../libs/sdk/dist/index.js'))});
      (async () => {
        const run = await sdk.init({ url: ${JSON.stringify(server.url)}, apiKey: ${JSON.stringify(p.key)}, project: ${JSON.stringify(p.ref)},
          dir: ${JSON.stringify(dir)}, systemMetricsIntervalMs: 0, context: false, flushIntervalMs: 60000, log: () => {} });
        await run.log({ samples: [new sdk.Image({ data: new Uint8Array(16 * 16 * 3).fill(128), width: 16, height: 16, channels: 3 }, { caption: 'kept' })] }, 7);
        process.stdout.write(run.key + '\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const key = await new Promise<string>((r) => child.stdout.once('data', (d) => r(String(d).trim())));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await media(key, 'samples')).toEqual([]);
    const synced = await runNode(CLI, ['sync'], {
      ...process.env,
      TRACKBASE_URL: server.url,
      TRACKBASE_API_KEY: p.key,
      TRACKBASE_DIR: dir,
    });
    expect(synced.code, synced.stderr).toBe(0);
    const items = await media(key, 'samples');
    expect(items.map((i) => [i.step, i.caption, i.width, i.contentType])).toEqual([[7, 'kept', 16, 'image/png']]);
  });
});
