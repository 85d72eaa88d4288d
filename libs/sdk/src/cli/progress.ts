import type { ProgressCallback } from '../client/transfer/progress';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB" (powers of 1024, as file managers show). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

export function bytesBar(done: number, total: number, width = 30): string {
  const filled = total ? Math.min(width, Math.round((done / total) * width)) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${formatBytes(done)}/${formatBytes(total)}`;
}

/** Transfers smaller than this finish before a bar would be read. */
const MIN_BAR_BYTES = 1024 * 1024;
const REDRAW_MS = 100;

/**
 * A byte progress bar redrawn in place on stderr, at most ten times a
 * second; silent when `enabled` is false (not a terminal, or --json).
 */
export function progressReporter(
  write: (text: string) => void,
  label: string,
  enabled: boolean,
): { onProgress?: ProgressCallback; done: () => void } {
  if (!enabled) return { done: () => undefined };
  let drawn = false;
  let last = 0;
  let latest: [number, number] = [0, 0];
  const draw = () => {
    write(`\r${bytesBar(latest[0], latest[1])} ${label}`);
    drawn = true;
  };
  return {
    onProgress: (sent, total) => {
      latest = [sent, total];
      if (total < MIN_BAR_BYTES || Date.now() - last < REDRAW_MS) return;
      last = Date.now();
      draw();
    },
    done: () => {
      if (!drawn) return;
      draw();
      write('\n');
    },
  };
}
