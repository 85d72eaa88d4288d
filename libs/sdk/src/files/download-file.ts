import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../client/backoff';
import { sleep } from '../client/http';
import { getPresigned, isRetryableTransferError, needsFreshUrl } from './presigned';
import type { TransferProgress } from './progress';

export interface DownloadOptions {
  backoff?: BackoffOptions;
  maxAttempts?: number;
  timeoutMs?: number;
}

/** The bytes that arrived are not the ones the server recorded. */
export class ChecksumMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksumMismatchError';
  }
}

const MAX_URL_RENEWALS = 3;

/**
 * Fetches a presigned URL into a temporary file beside `dest`, checking size
 * and SHA-256 as the bytes stream, then renames it into place, so `dest`
 * never holds a partial or wrong file. `url(fresh)` signs the download;
 * `fresh` is true after a 403 (the URL expired).
 */
export async function downloadFile(
  url: (fresh: boolean) => Promise<string>,
  dest: string,
  expected: { sha256: string; size: number },
  progress: TransferProgress,
  options: DownloadOptions = {},
): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const maxAttempts = options.maxAttempts ?? 5;
  let fresh = false;
  let renewals = 0;
  for (let attempt = 0; ;) {
    const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.part`);
    let counted = 0;
    try {
      const response = await getPresigned(await url(fresh), options.timeoutMs);
      fresh = false;
      const hash = createHash('sha256');
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          counted += chunk.length;
          progress.add(chunk.length);
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      await pipeline(response, measure, createWriteStream(tmp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      if (counted !== expected.size || sha256 !== expected.sha256) {
        throw new ChecksumMismatchError(
          `${dest}: received ${counted} bytes with SHA-256 ${sha256}, expected ${expected.size} bytes with ${expected.sha256}`,
        );
      }
      await rename(tmp, dest);
      return;
    } catch (error) {
      await rm(tmp, { force: true });
      progress.add(-counted);
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
