import { describe, expect, it } from 'vitest';
import { createLimiter, mapLimit } from './limiter';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('bounded concurrency', () => {
  it('never runs more tasks at once than the limit', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limit(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('keeps the order of results', async () => {
    expect(await mapLimit([3, 1, 2], 2, async (n) => (await tick(), n * 10))).toEqual([30, 10, 20]);
  });

  it('starts nothing new after a failure and rethrows it', async () => {
    const started: number[] = [];
    const failing = mapLimit([1, 2, 3, 4, 5, 6], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('two');
    });
    await expect(failing).rejects.toThrow('two');
    expect(started).toEqual([1, 2]);
  });
});
