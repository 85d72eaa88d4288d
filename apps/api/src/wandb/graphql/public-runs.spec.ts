import { describe, expect, it } from 'vitest';
import { historyKeysOf, rowsOf } from './public-runs.resolvers';

const series = (name: string, steps: number[], values: Array<number | 'NaN'>) => ({
  runId: '00000000-0000-4000-8000-000000000000',
  name,
  kind: 'metric' as const,
  steps,
  values,
  times: steps.map((s) => 1_700_000_000_000 + s * 1000),
  downsampled: false,
  totalPoints: steps.length,
});

describe('W&B history rows', () => {
  it('merges series into one row per step, in step order, with _timestamp in seconds', () => {
    const rows = rowsOf([series('loss', [2, 0], [0.5, 1]), series('acc', [0, 1], [0.1, 'NaN'])], '');
    expect(rows).toEqual([
      { _step: 0, _timestamp: 1_700_000_000, loss: 1, acc: 0.1 },
      { _step: 1, _timestamp: 1_700_000_001, acc: NaN },
      { _step: 2, _timestamp: 1_700_000_002, loss: 0.5 },
    ]);
  });

  it('names system series with their prefix again', () => {
    expect(rowsOf([{ ...series('cpu', [0], [3]), kind: 'system' }], 'system.')).toEqual([
      { _step: 0, _timestamp: 1_700_000_000, 'system.cpu': 3 },
    ]);
  });

  it('reports the last step of the metric series and -1 for a run without any', () => {
    const summaries = [
      { name: 'loss', kind: 'metric' as const, count: 5, lastStep: 4, last: 0.2 },
      { name: 'cpu', kind: 'system' as const, count: 9, lastStep: 8, last: 1 },
    ];
    expect(historyKeysOf(summaries as never)).toEqual({ lastStep: 4, keys: { loss: { typeCounts: [{ type: 'number', count: 5 }] } } });
    expect(historyKeysOf([])).toEqual({ lastStep: -1, keys: {} });
  });
});
