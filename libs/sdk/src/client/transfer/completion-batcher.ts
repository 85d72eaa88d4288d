import type { CompleteUploadsResponse, UploadStatus } from '@trackbase/contracts';
import { TrackbaseApiError } from '../errors';

/** Completions asked for within this window travel in one request. */
const WINDOW_MS = 5;
const MAX_BATCH = 100;

const STATUS_OF_CODE: Record<string, number> = { not_found: 404, upload_incomplete: 409, upload_not_pending: 409 };

/**
 * Gathers upload completions from concurrent transfers into batch requests,
 * so a directory of small files costs one completion call per many files
 * instead of one each. Every caller still gets its own answer: an error
 * item becomes the TrackbaseApiError a single completion would have thrown.
 */
export function createCompletionBatcher(
  send: (uploadIds: string[]) => Promise<CompleteUploadsResponse>,
): (uploadId: string) => Promise<UploadStatus> {
  let pending: Array<{ uploadId: string; resolve: (s: UploadStatus) => void; reject: (e: unknown) => void }> = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    send([...new Set(batch.map((b) => b.uploadId))]).then(
      ({ results }) => {
        const byId = new Map(results.map((r) => [r.uploadId, r]));
        for (const waiter of batch) {
          const result = byId.get(waiter.uploadId);
          if (!result) waiter.reject(new Error(`the server did not answer for upload ${waiter.uploadId}`));
          else if (result.error)
            waiter.reject(new TrackbaseApiError(STATUS_OF_CODE[result.error.code] ?? 400, result.error.code, result.error.message));
          else waiter.resolve(result);
        }
      },
      (error: unknown) => batch.forEach((waiter) => waiter.reject(error)),
    );
  };

  return (uploadId) =>
    new Promise<UploadStatus>((resolve, reject) => {
      pending.push({ uploadId, resolve, reject });
      if (pending.length >= MAX_BATCH) flush();
      else timer ??= setTimeout(flush, WINDOW_MS);
    });
}
