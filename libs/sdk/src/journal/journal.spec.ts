import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchFromEntries, Journal } from './journal';

const meta = { localId: 'l', org: 'o', project: 'p', streamId: 's', createdAt: '2026-01-01T00:00:00Z', mode: 'async' };

function fresh() {
  const dir = join(mkdtempSync(join(tmpdir(), 'tb-journal-')), 'run');
  return { dir, journal: Journal.create(dir, meta) };
}

describe('Journal', () => {
  it('replays cut batches that were not acknowledged, and the tail after the last cut', () => {
    const { dir, journal } = fresh();
    journal.append({ t: 'm', k: 'metric', s: 0, ts: 1, v: { loss: 1 } });
    journal.append({ t: 'b', seq: 0 });
    journal.append({ t: 'm', k: 'metric', s: 1, ts: 2, v: { loss: 0.5 } });
    journal.append({ t: 'b', seq: 1 });
    journal.append({ t: 'a', seq: 0 });
    journal.append({ t: 'm', k: 'metric', s: 2, ts: 3, v: { loss: 'NaN' } });
    const state = Journal.replay(dir);
    expect(state.pending.map((b) => b.seq)).toEqual([1]);
    expect(state.tail).toHaveLength(1);
    expect(state.nextSeq).toBe(2);
  });

  it('ignores a line torn by a crash mid-write', () => {
    const { dir, journal } = fresh();
    journal.append({ t: 'm', k: 'metric', s: 0, ts: 1, v: { loss: 1 } });
    journal.close();
    appendFileSync(join(dir, 'journal.jsonl'), '{"t":"m","k":"metr');
    expect(Journal.replay(dir).tail).toHaveLength(1);
  });

  it('rebuilds the same batch from entries as the live buffer would', () => {
    const { batch, points } = batchFromEntries('s', 4, [
      { t: 'm', k: 'metric', s: 0, ts: 10, v: { loss: 1, acc: 0.1 } },
      { t: 'm', k: 'metric', s: 1, ts: 11, v: { loss: Infinity } },
      { t: 'x', n: 'stdout', s: 0, ts: 12, l: 'hello' },
      { t: 'params', v: { lr: 0.1 } },
      { t: 'tags', add: ['a'] },
      { t: 'tags', remove: ['a'], add: ['b'] },
    ]);
    expect(points).toBe(4);
    expect(batch).toEqual({
      streamId: 's',
      seq: 4,
      metrics: [
        { name: 'loss', steps: [0, 1], values: [1, 'Infinity'], times: [10, 11] },
        { name: 'acc', steps: [0], values: [0.1], times: [10] },
      ],
      text: [{ name: 'stdout', steps: [0], lines: ['hello'], times: [12] }],
      params: { lr: 0.1 },
      tags: { add: ['b'], remove: ['a'] },
    });
  });
});
