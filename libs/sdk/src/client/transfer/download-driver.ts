import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff';
import { ChecksumMismatchError } from '../errors';
import { sleep } from '../http';
import type { TransferProgress } from './progress';
import { isRetryableTransferError, needsFreshUrl } from './store-errors';

export interface DownloadOptions {
  backoff?: BackoffOptions;
  maxAttempts?: number;
  timeoutMs?: number;
}

/** What one attempt received: its length and SHA-256, and how to throw it away. */
export interface ReceivedBytes {
  size: number;
  sha256: string;
  discard(): Promise<void>;
}

/**
 * Fetches a presigned URL and keeps the bytes somewhere (a temporary file, a
 * Blob), hashing them as they arrive; `onProgress` hears the bytes of this
 * attempt so far. Failures throw as `SendBytes` does; what was kept of a
 * failed attempt is the receiver's to clean up.
 */
export type ReceiveBytes<R extends ReceivedBytes> = (url: string, onProgress: (loaded: number) => void, timeoutMs?: number) => Promise<R>;

const MAX_URL_RENEWALS = 3;

/**
 * The download protocol, written once: `url(fresh)` signs the download
 * (`fresh` is true after a 403, the URL expired), `receive` moves the bytes;
 * size and SHA-256 are checked against what the server recorded, and network
 * errors, 5xx and damaged bodies are retried with backoff. Returns the
 * attempt whose bytes are right.
 */
export async function downloadWithRetries<R extends ReceivedBytes>(
  name: string,
  url: (fresh: boolean) => Promise<string>,
  expected: { sha256: string; size: number },
  receive: ReceiveBytes<R>,
  progress: TransferProgress,
  options: DownloadOptions = {},
): Promise<R> {
  const maxAttempts = options.maxAttempts ?? 5;
  let fresh = false;
  let renewals = 0;
  for (let attempt = 0; ;) {
    const counted = progress.attempt();
    try {
      const target = await url(fresh);
      fresh = false;
      const received = await receive(target, counted.loaded, options.timeoutMs);
      if (received.size !== expected.size || received.sha256 !== expected.sha256) {
        await received.discard();
        throw new ChecksumMismatchError(
          `${name}: received ${received.size} bytes with SHA-256 ${received.sha256}, expected ${expected.size} bytes with ${expected.sha256}`,
        );
      }
      return received;
    } catch (error) {
      counted.abandon();
      if (needsFreshUrl(error) && renewals++ < MAX_URL_RENEWALS) {
        fresh = true;
        continue;
      }
      if (!isRetryableTransferError(error) && !(error instanceof ChecksumMismatchError)) throw error;
      if (++attempt >= maxAttempts) throw error;
      await sleep(backoffDelay(attempt - 1, options.backoff ?? DEFAULT_BACKOFF));
    }
  }
}
