import { describe, expect, it } from 'vitest';
import { PALETTE, runColor } from './palette';
import { aggregate, correlation, forestImportance, robustRange, smooth } from './stats';
import { formatBytesValue, formatSeconds, formatTicks, naturalCompare, unitOf } from './format';

describe('chart formatting', () => {
  it('keeps enough significant digits that small ticks stay distinct', () => {
    expect(formatTicks([0.001, 0.0012, 0.0014, 0.0016])).toEqual(['0.001', '0.0012', '0.0014', '0.0016']);
    expect(formatTicks([0.0001, 0.00015, 0.0002])).toEqual(['1e-4', '1.5e-4', '2e-4']);
    expect(formatTicks([0.0101, 0.0102, 0.0103])).toEqual(['0.0101', '0.0102', '0.0103']);
    expect(formatTicks([0.98, 0.985, 0.99])).toEqual(['0.98', '0.985', '0.99']);
    expect(formatTicks([1.0001, 1.0002, 1.0003])).toEqual(['1.0001', '1.0002', '1.0003']);
    expect(formatTicks([-0.5, 5.551115123125783e-17, 0.5])).toEqual(['-0.5', '0', '0.5']);
    expect(formatTicks([2_000_000, 4_000_000])).toEqual(['2e6', '4e6']);
  });

  it('formats bytes and durations with units', () => {
    expect(formatTicks([0, 512 * 1024 ** 2, 1024 ** 3], 'bytes')).toEqual(['0 B', '512 MB', '1 GB']);
    expect(formatBytesValue(1536)).toBe('1.5 KB');
    expect(formatSeconds(0.25)).toBe('250 ms');
    expect(formatSeconds(90)).toBe('1m 30s');
    expect(formatSeconds(7200)).toBe('2h');
    expect(unitOf('system/memory_used_bytes')).toBe('bytes');
    expect(unitOf('epoch_seconds')).toBe('seconds');
    expect(unitOf('train/loss')).toBe('number');
  });

  it('sorts names naturally', () => {
    expect(['layer_10', 'layer_2', 'layer_1'].sort(naturalCompare)).toEqual(['layer_1', 'layer_2', 'layer_10']);
  });

  it('gives runs stable colours from a palette of more than 8', () => {
    expect(PALETTE.length).toBeGreaterThan(8);
    expect(runColor({ id: 'a', number: 3 })).toBe(runColor({ id: 'b', number: 3 }));
    const colours = new Set(Array.from({ length: 20 }, (_, i) => runColor({ id: String(i), number: i + 1 })));
    expect(colours.size).toBe(20);
  });
});

describe('chart statistics', () => {
  it('smooths with a debiased EMA and a running mean, passing NaN through', () => {
    expect(smooth([1, 1, 1], { kind: 'ema', weight: 0.9 }).map((v) => Number(v.toFixed(6)))).toEqual([1, 1, 1]);
    expect(smooth([0, 3, 6, NaN], { kind: 'mean', window: 3 })).toEqual([1.5, 3, 4.5, NaN]);
  });

  it('ignores outliers in the y-range', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i === 100 ? 1e6 : i / 200));
    const [lo, hi] = robustRange([values])!;
    expect(hi).toBeLessThan(2);
    expect(lo).toBeLessThan(0.01);
  });

  it('aggregates a group to mean with std, standard error or min–max bands', () => {
    const cols = [
      [1, 2, null],
      [3, 4, 5],
    ];
    expect(aggregate(cols, 3, 'minmax')).toEqual({ mean: [2, 3, 5], low: [1, 2, 5], high: [3, 4, 5] });
    const std = aggregate(cols, 3, 'std');
    expect(std.high[0]).toBeCloseTo(2 + Math.SQRT2);
    expect(aggregate(cols, 3, 'stderr').high[0]).toBeCloseTo(2 + 1);
  });

  it('ranks the param that drives the metric first', () => {
    const lr = Array.from({ length: 40 }, (_, i) => i / 40);
    const noise = Array.from({ length: 40 }, (_, i) => (i * 7919) % 13);
    const loss = lr.map((x) => x * x * 10);
    expect(correlation(lr, loss)).toBeGreaterThan(0.9);
    const [a, b] = forestImportance([lr, noise], loss);
    expect(a).toBeGreaterThan(b!);
  });
});
