import { contentTypeOfPath, type FileDeclaration } from '@trackbase/contracts';
import { mapLimit } from '../client/transfer/limiter';
import {
  createUploadRuntime as createRuntime,
  DEFAULT_CONCURRENCY,
  type DeclaredFile,
  type TransferOptions,
} from '../client/transfer/send-declared';
import type { UploadCalls, UploadRuntime } from '../client/transfer/upload-driver';
import { fileSource, sendFileRange, type FileSource } from './file-source';
import { sha256File } from './hash';
import type { LocalFile } from './local-files';

export { DEFAULT_CONCURRENCY, type TransferOptions };

/** A local file hashed for its declaration, with the source the upload driver reads. */
export interface HashedFile extends LocalFile, DeclaredFile<FileSource> {
  sha256: string;
}

export function hashFiles(files: LocalFile[], concurrency = DEFAULT_CONCURRENCY): Promise<HashedFile[]> {
  return mapLimit(files, concurrency, async (f) => ({ ...f, sha256: await sha256File(f.localPath), source: fileSource(f.localPath) }));
}

/** What the server is told of a file; its content type by extension, so previews work for SDK uploads too. */
export const declarationOf = (f: HashedFile): FileDeclaration => {
  const contentType = contentTypeOfPath(f.remotePath);
  return { path: f.remotePath, size: f.size, sha256: f.sha256, ...(contentType ? { contentType } : {}) };
};

/** The upload driver with files from disk sent through node:http. */
export function createUploadRuntime(calls: UploadCalls, totalBytes: number, options: TransferOptions): UploadRuntime<FileSource> {
  return createRuntime(calls, sendFileRange, totalBytes, options);
}
