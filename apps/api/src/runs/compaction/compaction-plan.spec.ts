import { describe, expect, it } from 'vitest';
import { planCompaction, type SegmentSize } from './compaction-plan';

const seg = (id: number, count: number): SegmentSize => ({ id: String(id), count });
const limits = { small: 10, target: 25, minSmall: 3 };

describe('planCompaction', () => {
  it('merges runs of consecutive small segments and never across a large one', () => {
    const groups = planCompaction([seg(1, 1), seg(2, 2), seg(3, 50), seg(4, 1), seg(5, 1), seg(6, 1)], limits);
    expect(groups).toEqual([
      ['1', '2'],
      ['4', '5', '6'],
    ]);
  });

  it('cuts a group before it would exceed the target size', () => {
    const groups = planCompaction([seg(1, 9), seg(2, 9), seg(3, 9), seg(4, 9), seg(5, 1)], limits);
    expect(groups).toEqual([
      ['1', '2'],
      ['3', '4', '5'],
    ]);
  });

  it('leaves a series with few small segments alone, and a lone small segment unmerged', () => {
    expect(planCompaction([seg(1, 1), seg(2, 1)], limits)).toEqual([]);
    expect(planCompaction([seg(1, 1), seg(2, 50), seg(3, 1), seg(4, 50), seg(5, 1)], limits)).toEqual([]);
  });
});
