import { describe, expect, it } from 'vitest';
import { expectedPartSize, partLayout } from './stored-object';

const MiB = 1024 * 1024;

describe('partLayout', () => {
  it('sends files up to one part size in a single PUT', () => {
    expect(partLayout(0, 16 * MiB)).toEqual({ partSize: 16 * MiB, partCount: 1, multipart: false });
    expect(partLayout(16 * MiB, 16 * MiB)).toEqual({ partSize: 16 * MiB, partCount: 1, multipart: false });
  });

  it('splits larger files into parts of the configured size, the last one shorter', () => {
    const layout = partLayout(200 * MiB + 1, 16 * MiB);
    expect(layout).toEqual({ partSize: 16 * MiB, partCount: 13, multipart: true });
    expect(expectedPartSize(200 * MiB + 1, layout.partSize, 13)).toBe(200 * MiB + 1 - 12 * 16 * MiB);
    expect(expectedPartSize(200 * MiB + 1, layout.partSize, 1)).toBe(16 * MiB);
  });

  it('grows parts so that no file needs more than 10,000 of them', () => {
    const size = 1024 ** 4; // 1 TiB
    const layout = partLayout(size, 16 * MiB);
    expect(layout.partCount).toBeLessThanOrEqual(10_000);
    expect(layout.partSize % MiB).toBe(0);
  });
});
