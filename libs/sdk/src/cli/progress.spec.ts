import { describe, expect, it } from 'vitest';
import { bytesBar, formatBytes, progressReporter } from './progress';

describe('transfer progress on the terminal', () => {
  it('formats sizes in powers of 1024', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MB');
    expect(bytesBar(5, 10, 10)).toBe('[#####.....] 5 B/10 B');
  });

  it('draws a bar for large transfers and ends it with a newline', () => {
    const written: string[] = [];
    const bar = progressReporter((t) => written.push(t), 'weights.bin', true);
    bar.onProgress!(4 * 1024 * 1024, 8 * 1024 * 1024);
    bar.done();
    expect(written[0]).toMatch(/^\r\[#{15}\.{15}\] 4\.0 MB\/8\.0 MB weights\.bin$/);
    expect(written.at(-1)).toBe('\n');
  });

  it('stays silent for small transfers and when disabled (not a terminal, --json)', () => {
    const written: string[] = [];
    const small = progressReporter((t) => written.push(t), 'x', true);
    small.onProgress!(10, 100);
    small.done();
    const off = progressReporter((t) => written.push(t), 'x', false);
    expect(off.onProgress).toBeUndefined();
    off.done();
    expect(written).toEqual([]);
  });
});
