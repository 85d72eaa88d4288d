import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { downloadWithRetries, type DownloadOptions } from '../client/transfer/download-driver';
import type { TransferProgress } from '../client/transfer/progress';
import { getPresigned } from './presigned';

export type { DownloadOptions };

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
  const received = await downloadWithRetries(
    dest,
    url,
    expected,
    (target, onProgress, timeoutMs) => receiveToFile(target, dest, onProgress, timeoutMs),
    progress,
    options,
  );
  await rename(received.tmp, dest);
}

/** One attempt: the body into a fresh temporary file beside `dest`, hashed on the way. */
async function receiveToFile(url: string, dest: string, onProgress: (loaded: number) => void, timeoutMs?: number) {
  const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.part`);
  const discard = () => rm(tmp, { force: true });
  try {
    const response = await getPresigned(url, timeoutMs);
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        onProgress(size);
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    await pipeline(response, measure, createWriteStream(tmp, { flags: 'wx' }));
    return { tmp, size, sha256: hash.digest('hex'), discard };
  } catch (error) {
    await discard();
    throw error;
  }
}
