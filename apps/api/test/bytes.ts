import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Digests and stream helpers the storage tests share. */
export const md5 = (data: Buffer) => createHash('md5').update(data).digest();
export const md5Base64 = (data: Buffer) => md5(data).toString('base64');
export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
