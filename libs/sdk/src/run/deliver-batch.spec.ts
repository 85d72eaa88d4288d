import type { RunBatch } from '@trackbase/contracts';
import { describe, expect, it } from 'vitest';
import { TrackbaseApiError, TrackbaseUnavailableError } from '../client/errors';
import { deliverBatch, DeliveryStoppedError } from './deliver-batch';
import { describeBatch, splitBatch } from './split-batch';

const batch: RunBatch = {
  streamId: 'host.1.abcd',
  seq: 4,
  metrics: [
    { name: 'loss', steps: [0, 1, 2, 3], values: [4, 3, 2, 'NaN'], times: [10, 11, 12, 13] },
    { name: 'acc', steps: [0, 1], values: [0.1, 0.2], times: [10, 11] },
  ],
  text: [{ name: 'stdout', steps: [0], lines: ['hello'], times: [10] }],
  params: { lr: 0.1, 'optimizer.name': 'adam' },
  tags: { add: ['a'], remove: ['b'] },
  context: { git: { commit: 'abc' } } as never,
  inputs: [{ kind: 'dataset', name: 'mnist' }],
};

/** A server refusing (400) every batch that holds the given parameter or metric point. */
function refusing(isBad: (b: RunBatch) => boolean) {
  const seen: string[] = [];
  const accepted: RunBatch[] = [];
  return {
    seen,
    accepted,
    send: async (b: RunBatch) => {
      seen.push(`${b.streamId}/${b.seq}`);
      if (isBad(b)) throw new TrackbaseApiError(400, 'validation_failed', 'refused');
      accepted.push(b);
    },
  };
}

const hasLoss2 = (b: RunBatch) => !!b.metrics?.some((s) => s.name === 'loss' && s.steps.includes(2));

describe('deliverBatch', () => {
  it('a batch the server takes is sent once, as it is', async () => {
    const server = refusing(() => false);
    expect(await deliverBatch(batch, { send: server.send, wait: async () => true })).toEqual([]);
    expect(server.seen).toEqual(['host.1.abcd/4']);
  });

  it('a refused value is isolated by bisection: everything else arrives, exactly once', async () => {
    const server = refusing(hasLoss2);
    const dropped = await deliverBatch(batch, { send: server.send, wait: async () => true });
    expect(dropped).toEqual([
      { key: 'metrics.loss@2', status: 400, code: 'validation_failed', message: 'refused (400 validation_failed)' },
    ]);
    const steps = server.accepted.flatMap((b) => (b.metrics ?? []).filter((s) => s.name === 'loss').flatMap((s) => s.steps));
    expect(steps.sort()).toEqual([0, 1, 3]);
    const merged = Object.assign({}, ...server.accepted.map((b) => b.params ?? {}));
    expect(merged).toEqual(batch.params);
    expect(server.accepted.flatMap((b) => b.inputs ?? [])).toEqual(batch.inputs);
    expect(server.accepted.flatMap((b) => b.tags?.add ?? [])).toEqual(['a']);
    expect(server.accepted.flatMap((b) => b.text ?? [])).toEqual(batch.text);
    // Halves travel under their own ids so the server's dedupe applies to each.
    expect(new Set(server.seen).size).toBe(server.seen.length);
    expect(server.seen.slice(1).every((id) => id.startsWith('host.1.abcd:4/'))).toBe(true);
  });

  it('the same batch bisects the same way again, so a retry after a crash is deduplicated by the server', async () => {
    const first = refusing(hasLoss2);
    const second = refusing(hasLoss2);
    await deliverBatch(batch, { send: first.send, wait: async () => true });
    await deliverBatch(structuredClone(batch), { send: second.send, wait: async () => true });
    expect(second.seen).toEqual(first.seen);
  });

  it('a 500 repeated for the same batch is treated as a refusal; an unreachable server is waited for, then stops', async () => {
    let calls = 0;
    const dropped = await deliverBatch(
      { streamId: 's', seq: 0, params: { p: 1 } },
      {
        send: async () => {
          calls++;
          throw new TrackbaseUnavailableError('500', new TrackbaseApiError(500, 'internal_error', 'boom'));
        },
        wait: async () => true,
      },
    );
    expect(dropped).toEqual([{ key: 'params.p', status: 500, code: 'internal_error', message: 'boom (500 internal_error)' }]);
    expect(calls).toBe(3);
    let waits = 0;
    await expect(
      deliverBatch(batch, {
        send: async () => {
          throw new TrackbaseUnavailableError('fetch failed');
        },
        wait: async () => ++waits < 4,
      }),
    ).rejects.toThrow(DeliveryStoppedError);
    expect(waits).toBe(4);
  });

  it('a refusal that is not about content (a deleted run) drops the whole batch without splitting', async () => {
    let calls = 0;
    const dropped = await deliverBatch(batch, {
      send: async () => {
        calls++;
        throw new TrackbaseApiError(404, 'not_found', 'run not found');
      },
      wait: async () => true,
    });
    expect(calls).toBe(1);
    expect(dropped).toEqual([expect.objectContaining({ key: 'batch 4 (9 parts)', code: 'not_found' })]);
  });
});

describe('splitBatch', () => {
  it('halves parts, then points of one series, and stops at a single value', () => {
    const [a, b] = splitBatch(batch)!;
    expect(describeBatch(a)).toBe('batch 4 (5 parts)');
    expect(describeBatch(b)).toBe('batch 4 (4 parts)');
    const one: RunBatch = { streamId: 's', seq: 1, metrics: [batch.metrics![0]!] };
    const [left, right] = splitBatch(one)!;
    expect(describeBatch(left)).toBe('metrics.loss@0..1');
    expect(describeBatch(right)).toBe('metrics.loss@2..3');
    expect(right.metrics![0]).toEqual({ name: 'loss', steps: [2, 3], values: [2, 'NaN'], times: [12, 13] });
    expect(splitBatch({ streamId: 's', seq: 1, params: { lr: 1 } })).toBeNull();
    expect(describeBatch({ streamId: 's', seq: 1, tags: { remove: ['b'] } })).toBe('tags.remove.b');
  });
});
