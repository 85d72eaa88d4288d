import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ByteRange } from '../client/transfer/parts';

/** Reads of 1 MiB: large enough to keep a disk busy, small enough that hashing never holds a file in memory. */
const READ_CHUNK = 1024 * 1024;

/** Streams a file (or a range of it) from disk through a hash. */
export async function digestFile(path: string, algorithm: 'sha256' | 'md5', range?: ByteRange): Promise<Buffer> {
  const hash = createHash(algorithm);
  // createReadStream's `end` is inclusive, and an empty range must read nothing.
  if (range && range.end <= range.start) return hash.digest();
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK, ...(range ? { start: range.start, end: range.end - 1 } : {}) });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest();
}

/** The lowercase hex SHA-256 the server identifies content by. */
export async function sha256File(path: string): Promise<string> {
  return (await digestFile(path, 'sha256')).toString('hex');
}

/** The base64 MD5 of a range, as S3's Content-MD5 and the part reports carry it. */
export async function md5Base64OfRange(path: string, range: ByteRange): Promise<string> {
  return (await digestFile(path, 'md5', range)).toString('base64');
}
