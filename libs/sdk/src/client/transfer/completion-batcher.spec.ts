import type { CompleteUploadsResponse } from '@trackbase/contracts';
import { describe, expect, it } from 'vitest';
import { TrackbaseApiError } from '../errors';
import { createCompletionBatcher } from './completion-batcher';

const ok = (uploadId: string) => ({ uploadId, state: 'available' as const, completedParts: [], partCount: 1 });

describe('createCompletionBatcher', () => {
  it('sends completions asked for together in one request and answers each caller', async () => {
    const sent: string[][] = [];
    const complete = createCompletionBatcher(async (ids) => {
      sent.push(ids);
      return { results: ids.map(ok) };
    });
    const answers = await Promise.all(['a', 'b', 'c'].map((id) => complete(id)));
    expect(sent).toEqual([['a', 'b', 'c']]);
    expect(answers.map((a) => a.uploadId)).toEqual(['a', 'b', 'c']);
  });

  it('turns an error item into the API error a single completion would have thrown, for that caller only', async () => {
    const complete = createCompletionBatcher(async (ids): Promise<CompleteUploadsResponse> => ({
      results: ids.map((id) =>
        id === 'bad' ? { ...ok(id), state: 'pending' as const, error: { code: 'checksum_mismatch', message: 'other bytes' } } : ok(id),
      ),
    }));
    const [good, bad] = await Promise.allSettled([complete('good'), complete('bad')]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    const error = (bad as PromiseRejectedResult).reason as TrackbaseApiError;
    expect(error).toBeInstanceOf(TrackbaseApiError);
    expect([error.status, error.code]).toEqual([400, 'checksum_mismatch']);
  });

  it('splits more than a hundred completions into several requests, and a failed request fails its callers', async () => {
    const sizes: number[] = [];
    const complete = createCompletionBatcher(async (ids) => {
      sizes.push(ids.length);
      if (sizes.length === 3) throw new Error('network down');
      return { results: ids.map(ok) };
    });
    const first = await Promise.allSettled(Array.from({ length: 150 }, (_, i) => complete(`u${i}`)));
    expect(sizes).toEqual([100, 50]);
    expect(first.every((r) => r.status === 'fulfilled')).toBe(true);
    await expect(complete('late')).rejects.toThrow('network down');
  });
});
