import type { FileDeclaration, FileUploadResult, StoredFile, UploadPlan } from '@trackbase/contracts';
import type { BackoffOptions } from '../client/backoff';
import { sha256File } from './hash';
import { createLimiter, mapLimit } from './limiter';
import type { LocalFile } from './local-files';
import { TransferProgress, type ProgressCallback } from './progress';
import { uploadWithPlan, type UploadCalls, type UploadRuntime } from './upload-file';

export interface TransferOptions {
  /** PUTs (whole files or parts) in flight at once, and files hashed at once; default 4. */
  concurrency?: number;
  /** Bytes sent (or found already stored) of the total. */
  onProgress?: ProgressCallback;
  /** Pauses between retries of one transfer. */
  backoff?: BackoffOptions;
}

export const DEFAULT_CONCURRENCY = 4;
/** Files in progress per PUT in flight: a small file spends as long waiting for its completion as sending. */
const FILES_PER_PUT_SLOT = 4;

export interface HashedFile extends LocalFile {
  sha256: string;
}

export function hashFiles(files: LocalFile[], concurrency = DEFAULT_CONCURRENCY): Promise<HashedFile[]> {
  return mapLimit(files, concurrency, async (f) => ({ ...f, sha256: await sha256File(f.localPath) }));
}

export const declarationOf = (f: HashedFile): FileDeclaration => ({ path: f.remotePath, size: f.size, sha256: f.sha256 });

export function createUploadRuntime(calls: UploadCalls, totalBytes: number, options: TransferOptions): UploadRuntime {
  return {
    calls,
    puts: createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY),
    progress: new TransferProgress(totalBytes, options.onProgress),
    backoff: options.backoff,
  };
}

/**
 * Sends what a declaration answer asks for. Files without a plan are stored
 * already; two paths with the same content share one upload and it is sent
 * once. `redeclare` asks for a file's plan again (fresh URL, or a reset).
 * Returns the files as stored, all available.
 */
export async function sendDeclared(
  rt: UploadRuntime,
  results: FileUploadResult[],
  files: HashedFile[],
  redeclare: (file: HashedFile, reason: 'renew' | 'reset') => Promise<UploadPlan | undefined>,
  concurrency = DEFAULT_CONCURRENCY,
): Promise<StoredFile[]> {
  const byPath = new Map(files.map((f) => [f.remotePath, f]));
  const sending = new Set<string>();
  const work: Array<{ file: HashedFile; plan: UploadPlan }> = [];
  for (const result of results) {
    const file = byPath.get(result.file.path);
    if (!file) throw new Error(`the server answered for ${result.file.path}, which was not declared`);
    if (!result.upload || sending.has(result.upload.uploadId)) rt.progress.add(file.size);
    else {
      sending.add(result.upload.uploadId);
      work.push({ file, plan: result.upload });
    }
  }
  // Files are taken on in turn; their PUTs share the runtime's bound. More files than PUTs are in
  // progress so that the next PUTs go out while earlier files wait for their (batched) completion.
  await mapLimit(work, concurrency * FILES_PER_PUT_SLOT, ({ file, plan }) =>
    uploadWithPlan(rt, file.localPath, plan, (reason) => redeclare(file, reason), rt.progress.child(file.size)),
  );
  return results.map((r) => ({ ...r.file, state: 'available' as const }));
}
