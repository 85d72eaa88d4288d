import { describe, expect, it } from 'vitest';
import { partRanges, pendingParts } from './parts';

const MiB = 1024 * 1024;

describe('splitting a file into parts', () => {
  it('cuts parts of partSize with a shorter last part', () => {
    const parts = partRanges(12 * MiB, 5 * MiB, 3);
    expect(parts.map((p) => [p.partNumber, p.start, p.end, p.size])).toEqual([
      [1, 0, 5 * MiB, 5 * MiB],
      [2, 5 * MiB, 10 * MiB, 5 * MiB],
      [3, 10 * MiB, 12 * MiB, 2 * MiB],
    ]);
  });

  it('covers the file exactly once when the size is a multiple of the part size', () => {
    const parts = partRanges(10 * MiB, 5 * MiB, 2);
    expect(parts.reduce((n, p) => n + p.size, 0)).toBe(10 * MiB);
    expect(parts.at(-1)!.end).toBe(10 * MiB);
  });

  it('resumes with only the parts the server has not recorded', () => {
    const pending = pendingParts({ size: 12 * MiB, partSize: 5 * MiB, partCount: 3, completedParts: [1, 3] });
    expect(pending.map((p) => p.partNumber)).toEqual([2]);
    expect(pending[0]!.start).toBe(5 * MiB);
  });
});
