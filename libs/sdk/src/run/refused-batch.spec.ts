import type { RunBatch } from '@trackbase/contracts';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TrackbaseApi } from '../client/api';
import { init } from '../init';
import { Journal } from '../journal/journal';
import { syncJournal } from './sync-journal';

/**
 * A stand-in for the API that refuses any batch holding a poisoned value:
 * 400 for the metric `bad`, 500 for the metric `poison` (as a server bug would),
 * and records every point it accepted, by (stream, seq), as the real one does.
 */
function fakeServer() {
  const accepted = new Map<string, RunBatch>();
  let finalState: string | undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const reply = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      if (req.method === 'POST' && req.url!.endsWith('/runs')) return reply(201, { id: 'r1', key: 'P-1', url: 'http://x/P-1' });
      if (req.method === 'PATCH') {
        finalState = (JSON.parse(body) as { state?: string }).state;
        return reply(200, { id: 'r1' });
      }
      if (req.url!.endsWith('/heartbeat')) return reply(200, { state: 'running' });
      if (req.url!.endsWith('/batches')) {
        const batch = JSON.parse(body) as RunBatch;
        const names = (batch.metrics ?? []).map((s) => s.name);
        if (names.includes('bad'))
          return reply(400, {
            error: { code: 'validation_failed', message: 'invalid batch', details: [{ path: 'metrics.0.name', message: 'bad' }] },
          });
        if (names.includes('poison')) return reply(500, { error: { code: 'internal_error', message: 'boom' } });
        const points = (batch.metrics ?? []).reduce((n, s) => n + s.steps.length, 0);
        const id = `${batch.streamId}/${batch.seq}`;
        const duplicate = accepted.has(id);
        accepted.set(id, batch);
        return reply(200, { streamId: batch.streamId, seq: batch.seq, duplicate, points });
      }
      reply(404, { error: { code: 'not_found', message: 'no route' } });
    });
  });
  return {
    server,
    accepted,
    finalState: () => finalState,
    /** Every (series, step) accepted, with how often. */
    points(): Map<string, number> {
      const seen = new Map<string, number>();
      for (const batch of accepted.values())
        for (const series of batch.metrics ?? [])
          for (const step of series.steps) seen.set(`${series.name}@${step}`, (seen.get(`${series.name}@${step}`) ?? 0) + 1);
      return seen;
    },
    params(): Record<string, unknown> {
      return Object.assign({}, ...[...accepted.values()].map((b) => b.params ?? {}));
    },
  };
}

let server: Server | undefined;
afterEach(() => server?.close());

async function start() {
  const fake = fakeServer();
  server = fake.server;
  await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return { fake, url };
}

describe('a refused batch', () => {
  for (const [name, code] of [
    ['bad', 'validation_failed'],
    ['poison', 'internal_error'],
  ] as const) {
    it(`answered ${code}: only the refused values are dropped, reported with their keys, and later batches arrive`, async () => {
      const { fake, url } = await start();
      const messages: string[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'tb-refused-'));
      const run = await init({
        url,
        apiKey: 'tbk_test',
        project: 'org/proj',
        dir,
        context: false,
        systemMetricsIntervalMs: 0,
        exitHandlers: false,
        flushIntervalMs: 1_000_000,
        log: (m) => messages.push(m),
      });
      await run.logParams({ lr: 0.1 });
      for (let step = 0; step < 20; step++) await run.log({ loss: step, acc: step / 20 }, step);
      await run.log({ [name]: 1 }, 7);
      run.flush();
      for (let step = 20; step < 30; step++) await run.log({ loss: step }, step);
      const started = Date.now();
      const result = await run.finish('finished', { timeoutMs: 20_000 });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result).toEqual({
        delivered: false,
        remainingBatches: 0,
        dropped: [expect.objectContaining({ key: `metrics.${name}@7`, code })],
      });
      const points = fake.points();
      for (let step = 0; step < 30; step++) expect(points.get(`loss@${step}`)).toBe(1);
      for (let step = 0; step < 20; step++) expect(points.get(`acc@${step}`)).toBe(1);
      expect(points.has(`${name}@7`)).toBe(false);
      expect(fake.params()).toEqual({ lr: 0.1 });
      expect(fake.finalState()).toBe('finished');
      expect(messages.filter((m) => m.includes(`metrics.${name}@7`))).toHaveLength(1);
      expect(readdirSync(join(dir, 'runs'))).toEqual([]);
    }, 30_000);
  }
});

const quiet = { context: false as const, systemMetricsIntervalMs: 0, exitHandlers: false, log: () => undefined };

describe('arguments at the SDK boundary', () => {
  it('finish({ timeoutMs }) is refused at the call, naming the right form, and the run can still finish', async () => {
    const { fake, url } = await start();
    const run = await init({ ...quiet, url, apiKey: 'tbk_test', project: 'org/proj', dir: mkdtempSync(join(tmpdir(), 'tb-args-')) });
    await run.log({ loss: 1 }, 0);
    await expect(run.finish({ timeoutMs: 5_000 } as never)).rejects.toThrow(
      /state must be one of finished, failed, aborted.*options go second/,
    );
    await expect(run.finish('finished', { timeoutMs: -1 })).rejects.toThrow(TypeError);
    await expect(run.finish('finished', { timeout: 1 } as never)).rejects.toThrow(/unknown option timeout/);
    expect(() => run.log({ loss: '1' as never }, 1)).toThrow(/loss must be a number/);
    expect(() => run.log({ loss: 1 }, 1.5)).toThrow(/step must be an integer/);
    expect(() => run.addTags('')).toThrow(TypeError);
    expect((await run.finish('finished', { timeoutMs: 10_000 })).delivered).toBe(true);
    expect(fake.finalState()).toBe('finished');
  });
});

describe('trackbase sync', () => {
  it('repairs a final state an older SDK journaled by mistake and drops only the refused values', async () => {
    const { fake, url } = await start();
    const dir = mkdtempSync(join(tmpdir(), 'tb-sync-'));
    const run = await init({ ...quiet, mode: 'offline', project: 'org/proj', dir });
    for (let step = 0; step < 10; step++) await run.log({ loss: step }, step);
    await run.log({ bad: 1 }, 3);
    run.flush();
    // What `run.finish({ timeoutMs })` wrote before the SDK checked its arguments.
    const journal = Journal.open(run.dir!);
    journal.append({ t: 'finish', state: { timeoutMs: 5_000 } as never });
    journal.close();
    const api = new TrackbaseApi({ baseUrl: url, apiKey: 'tbk_test', maxAttempts: 1 });
    const result = await syncJournal(api, run.dir!);
    expect(result).toMatchObject({
      removed: true,
      finished: 'finished',
      repairedState: { recorded: { timeoutMs: 5_000 }, sent: 'finished' },
      dropped: [expect.objectContaining({ key: 'metrics.bad@3', code: 'validation_failed' })],
    });
    expect(fake.finalState()).toBe('finished');
    for (let step = 0; step < 10; step++) expect(fake.points().get(`loss@${step}`)).toBe(1);
    expect(readdirSync(join(dir, 'runs'))).toEqual([]);
  });
});
