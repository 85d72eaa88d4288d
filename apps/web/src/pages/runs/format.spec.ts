import { describe, expect, it } from 'vitest';
import { formatCell, formatDuration, formatNumber, formatRelative } from './format';

describe('runs table formatting', () => {
  it('reads durations with units', () => {
    expect(formatDuration(0.25)).toBe('250 ms');
    expect(formatDuration(65)).toBe('1 min 5 s');
    expect(formatDuration(3 * 3600 + 12 * 60)).toBe('3 h 12 min');
    expect(formatDuration(2 * 86_400 + 3_600)).toBe('2 d 1 h');
  });

  it('keeps significant digits of small numbers', () => {
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(0.000012)).toBe('1.200e-5');
    expect(formatNumber(3.14159265)).toBe('3.1416');
    expect(formatNumber(12345)).toBe('12,345');
  });

  it('says how long ago a time was', () => {
    expect(formatRelative(new Date(Date.now() - 3 * 60_000).toISOString())).toMatch(/3 minutes ago/);
    expect(formatCell('time', null)).toBe('—');
  });
});
