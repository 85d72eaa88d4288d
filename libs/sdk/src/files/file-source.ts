import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ByteRange } from '../client/transfer/parts';
import type { PutRequest, UploadSource } from '../client/transfer/upload-driver';
import { md5Base64OfRange } from './hash';
import { putPresigned } from './presigned';

/** A file on disk as the upload driver reads it. */
export interface FileSource extends UploadSource {
  readonly localPath: string;
}

export function fileSource(localPath: string): FileSource {
  return {
    localPath,
    name: localPath,
    currentSize: async () => (await stat(localPath)).size,
    md5Base64: (range) => md5Base64OfRange(localPath, range),
  };
}

/** The Node transport of the upload driver: the range streamed from disk through node:http, counted as it is read. */
export function sendFileRange(put: PutRequest<FileSource>): Promise<string> {
  const { url, headers, source, range, onProgress, timeoutMs } = put;
  return putPresigned(url, headers, readRange(source.localPath, range, onProgress), range.end - range.start, timeoutMs);
}

function readRange(path: string, range: ByteRange, onProgress: (loaded: number) => void): Readable {
  const chunks = async function* () {
    // createReadStream's `end` is inclusive, and an empty range must read nothing.
    if (range.end <= range.start) return;
    let loaded = 0;
    for await (const chunk of createReadStream(path, { start: range.start, end: range.end - 1, highWaterMark: 1024 * 1024 })) {
      loaded += (chunk as Buffer).length;
      onProgress(loaded);
      yield chunk as Buffer;
    }
  };
  return Readable.from(chunks(), { objectMode: false });
}
