import type { RunBatch, WireFloat } from '@trackbase/contracts';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrackbaseApi } from '../client/api';
import { HttpClient, type HttpExchange } from '../client/http';
import { Run, type RunOptions } from './run';
import { syncJournal } from './sync-journal';

/**
 * An in-memory API behind the SDK's own HttpClient: `exchange` is the one
 * place a request leaves the client, so everything above it (TrackbaseApi's
 * paths, request retries, Run's queue, delivery and journal) runs as in use.
 * Batches are deduplicated by (stream, seq) as the real server does.
 */
class FakeTransport extends HttpClient {
  readonly accepted = new Map<string, RunBatch>();
  /** Every batch request in arrival order, duplicates included, as `stream/seq`. */
  readonly arrivals: string[] = [];
  finalState: string | undefined;
  /** Requests fail as a network error would while this is set. */
  down = false;
  /** This many batch answers are lost after the batch was stored (the client sees a network error). */
  loseAcks = 0;
  private stall: { promise: Promise<void>; release: () => void } | null = null;
  private readonly runs = new Map<string, { id: string; key: string; url: string }>();

  constructor() {
    super({ baseUrl: 'http://fake', apiKey: 'tbk_test', maxAttempts: 1 });
  }

  /** Holds every request until `release()`, as a server that stopped answering for a while. */
  hold(): () => void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.stall = { promise, release };
    return () => {
      this.stall = null;
      release();
    };
  }

  override async exchange<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpExchange<T>> {
    if (this.stall) await this.stall.promise;
    if (this.down) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    // What travels is JSON, as over HTTP.
    const payload = body === undefined ? undefined : JSON.parse(typeof body === 'string' ? body : JSON.stringify(body));
    const reply = (status: number, data: unknown) =>
      ({ status, statusText: '', body: data as T, headers: new Headers({ 'content-type': 'application/json' }) }) as HttpExchange<T>;
    if (method === 'POST' && /\/runs$/.test(path)) {
      const externalId = (payload as { externalId: string }).externalId;
      const n = this.runs.size + 1;
      const run = this.runs.get(externalId) ?? { id: `00000000-0000-4000-8000-00000000000${n}`, key: `P-${n}`, url: `http://fake/P-${n}` };
      this.runs.set(externalId, run);
      return reply(201, run);
    }
    if (method === 'POST' && path.endsWith('/heartbeat')) return reply(200, { state: 'running' });
    if (method === 'PATCH') {
      this.finalState = (payload as { state?: string }).state;
      return reply(200, {});
    }
    if (method === 'POST' && path.endsWith('/batches')) {
      const batch = payload as RunBatch;
      const id = `${batch.streamId}/${batch.seq}`;
      this.arrivals.push(id);
      const duplicate = this.accepted.has(id);
      if (!duplicate) this.accepted.set(id, batch);
      if (this.loseAcks > 0) {
        this.loseAcks--;
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      }
      const points = (batch.metrics ?? []).reduce((n, s) => n + s.steps.length, 0);
      return reply(200, { streamId: batch.streamId, seq: batch.seq, duplicate, points: duplicate ? 0 : points });
    }
    return reply(404, { error: { code: 'not_found', message: `no route ${method} ${path}` } });
  }

  /** The points of one metric the server holds, in the order batches were accepted. */
  points(name: string): Array<[number, number | WireFloat]> {
    return [...this.accepted.values()].flatMap((b) =>
      (b.metrics ?? [])
        .filter((s) => s.name === name)
        .flatMap((s) => s.steps.map((step, i) => [step, s.values[i]!] as [number, number | WireFloat])),
    );
  }
}

function startRun(transport: FakeTransport, options: Partial<RunOptions> = {}) {
  const logs: string[] = [];
  const run = Run.start({
    api: new TrackbaseApi(transport),
    mode: 'async',
    dataDir: mkdtempSync(join(tmpdir(), 'tb-run-')),
    org: 'org',
    project: 'proj',
    options: {
      // Batches are cut by size or by an explicit flush() here, never by the clock.
      flushIntervalMs: 3_600_000,
      heartbeatIntervalMs: 3_600_000,
      maxBufferedPoints: 100_000,
      maxQueuedPoints: 200_000,
      log: (message) => logs.push(message),
      ...options,
    },
  });
  return { run, logs };
}

/** The batches queued in memory, for the memory-window test (the window is internal by design). */
const queued = (run: Run) => (run as unknown as { queue: Array<{ seq: number; batch: RunBatch | null }> }).queue;

describe('Run against a fake transport', () => {
  it('cuts batches at maxBufferedPoints, sends them in order under one stream, records the final state and removes the journal', async () => {
    const transport = new FakeTransport();
    const { run } = startRun(transport, { maxBufferedPoints: 4 });
    await run.connect();
    await run.logParams({ lr: 0.01 });
    await run.addTags('baseline');
    for (let step = 0; step < 10; step++) await run.log({ loss: 1 / (step + 1), acc: step / 10 });
    const dir = run.dir!;
    expect(existsSync(dir)).toBe(true);

    const result = await run.finish();

    expect(result).toEqual({ delivered: true, remainingBatches: 0, dropped: [] });
    // Two points per step: a batch was cut every second step.
    const stream = [...transport.accepted.values()][0]!.streamId;
    expect(transport.arrivals).toEqual([0, 1, 2, 3, 4].map((seq) => `${stream}/${seq}`));
    expect(transport.points('loss').map(([step]) => step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(transport.points('acc')[3]).toEqual([3, 0.3]);
    expect([...transport.accepted.values()][0]).toMatchObject({ params: { lr: 0.01 }, tags: { add: ['baseline'] } });
    expect(transport.finalState).toBe('finished');
    expect(existsSync(dir)).toBe(false);
  });

  it('while the server stalls, at most maxQueuedPoints points stay in memory; the rest are re-read from the journal and every point arrives once, in order', async () => {
    const transport = new FakeTransport();
    const { run } = startRun(transport, { maxQueuedPoints: 6 });
    await run.connect();
    const release = transport.hold();
    for (let step = 0; step < 20; step++) {
      // A NaN beyond the window must come back from the journal as NaN, not as null.
      await run.log({ loss: step === 15 ? Number.NaN : step / 2, acc: step }, step);
      run.flush();
    }

    expect(run.backlog).toBe(20);
    const inMemory = queued(run).filter((q) => q.batch);
    expect(inMemory.map((q) => q.seq)).toEqual([0, 1, 2]);
    expect(inMemory.reduce((n, q) => n + q.batch!.metrics!.reduce((m, s) => m + s.steps.length, 0), 0)).toBeLessThanOrEqual(6);

    release();
    expect((await run.finish()).delivered).toBe(true);

    const stream = [...transport.accepted.values()][0]!.streamId;
    expect(transport.arrivals).toEqual(Array.from({ length: 20 }, (_, seq) => `${stream}/${seq}`));
    const loss = transport.points('loss');
    expect(loss.map(([step]) => step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(loss[15]).toEqual([15, 'NaN']);
    expect(loss[16]).toEqual([16, 8]);
    expect(transport.points('acc').map(([, v]) => v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('a batch whose acknowledgement was lost is sent again under the same (stream, seq) and counted once', async () => {
    const transport = new FakeTransport();
    const { run } = startRun(transport);
    await run.connect();
    transport.loseAcks = 1;
    for (let step = 0; step < 3; step++) await run.log('loss', step, step);
    run.flush();

    expect((await run.finish()).delivered).toBe(true);

    const [id] = [...transport.accepted.keys()];
    expect(transport.arrivals).toEqual([id, id]);
    expect(transport.points('loss')).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it('batches the server could not take before finish() timed out stay in the journal, and sync delivers exactly them later', async () => {
    const transport = new FakeTransport();
    const { run, logs } = startRun(transport);
    await run.connect();
    for (let step = 0; step < 3; step++) await run.log('loss', step, step);
    run.flush();
    await run.drain();
    transport.down = true;
    for (let step = 3; step < 6; step++) await run.log('loss', step, step);
    run.flush();
    await run.log('loss', 6, 6);
    const dir = run.dir!;

    const result = await run.finish('failed', { timeoutMs: 300 });

    expect(result).toMatchObject({ delivered: false, remainingBatches: 2 });
    expect(logs.some((line) => line.includes('2 batches (4 points)') && line.includes('trackbase sync'))).toBe(true);
    expect(transport.finalState).toBeUndefined();
    expect(existsSync(dir)).toBe(true);

    transport.down = false;
    const synced = await syncJournal(new TrackbaseApi(transport), dir);

    expect(synced).toMatchObject({ batches: 2, points: 4, finished: 'failed', removed: true });
    const stream = [...transport.accepted.values()][0]!.streamId;
    expect([...transport.accepted.keys()]).toEqual([0, 1, 2].map((seq) => `${stream}/${seq}`));
    expect(transport.points('loss').map(([step]) => step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(transport.finalState).toBe('failed');
    expect(existsSync(dir)).toBe(false);
  });
});
