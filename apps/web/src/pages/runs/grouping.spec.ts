import type { RunRow } from '@trackbase/contracts';
import { describe, expect, it } from 'vitest';
import { aggregate, groupKey, groupRows } from './grouping';

const run = (key: string, optimizer: string, seed: number, loss: number, tags: string[] = []) =>
  ({
    id: key,
    key,
    name: key,
    state: 'finished',
    tags,
    columns: { 'params.optimizer': optimizer, 'params.seed': seed, 'metrics.loss': loss },
  }) as unknown as RunRow;

describe('grouping the runs table', () => {
  const runs = [run('A-1', 'adam', 1, 0.2), run('A-2', 'sgd', 1, 0.5, ['x']), run('A-3', 'adam', 2, 0.4), run('A-4', 'sgd', 2, 0.7)];

  it('aggregates mean, min, max, std and count per group', () => {
    expect(aggregate([1, 3, null, 'x'])).toEqual({ count: 2, mean: 2, min: 1, max: 3, std: 1 });
    const rows = groupRows(runs, ['params.optimizer'], ['metrics.loss'], new Set());
    const adam = rows.find((r) => r.type === 'group' && r.value === 'adam');
    expect(adam?.type === 'group' && adam.aggregates['metrics.loss']).toMatchObject({ count: 2, min: 0.2, max: 0.4 });
    expect(rows.map((r) => (r.type === 'group' ? `[${r.value}]` : r.run.key))).toEqual(['[adam]', 'A-1', 'A-3', '[sgd]', 'A-2', 'A-4']);
  });

  it('nests groups and hides collapsed ones', () => {
    const rows = groupRows(runs, ['params.optimizer', 'tag:x'], [], new Set([groupKey(['sgd'])]));
    expect(rows.map((r) => (r.type === 'group' ? `${r.depth}:${r.value}` : r.run.key))).toEqual([
      '0:adam',
      '1:not x',
      'A-1',
      'A-3',
      '0:sgd',
    ]);
  });
});
