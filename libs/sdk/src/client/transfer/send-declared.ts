import type { FileUploadResult, StoredFile, UploadPlan } from '@trackbase/contracts';
import type { BackoffOptions } from '../backoff';
import { createLimiter, mapLimit } from './limiter';
import { TransferProgress, type ProgressCallback } from './progress';
import { uploadWithPlan, type SendBytes, type UploadCalls, type UploadRuntime, type UploadSource } from './upload-driver';

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

/** A file that was declared: where it goes, its size, and where its bytes come from. */
export interface DeclaredFile<S extends UploadSource = UploadSource> {
  remotePath: string;
  size: number;
  source: S;
}

export function createUploadRuntime<S extends UploadSource>(
  calls: UploadCalls,
  send: SendBytes<S>,
  totalBytes: number,
  options: TransferOptions,
): UploadRuntime<S> {
  return {
    calls,
    send,
    puts: createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY),
    progress: new TransferProgress(totalBytes, options.onProgress),
    backoff: options.backoff,
  };
}

export interface SendDeclaredOptions<F> {
  concurrency?: number;
  /** Each file's own share of the progress. */
  onFileProgress?: (file: F, sent: number, total: number) => void;
  /** A file is stored (sent and verified, or held already). */
  onFileDone?: (file: F) => void;
  /**
   * Called for a file that could not be sent; the other files go on. Without
   * it the first failure stops new files from starting and is thrown.
   */
  onFileError?: (file: F, error: unknown) => void;
}

/**
 * Sends what a declaration answer asks for. Files without a plan are stored
 * already; two paths with the same content share one upload and it is sent
 * once. `redeclare` asks for a file's plan again (fresh URL, or a reset).
 * Returns the files as stored (those that failed, with `onFileError`, left out).
 */
export async function sendDeclared<S extends UploadSource, F extends DeclaredFile<S>>(
  rt: UploadRuntime<S>,
  results: FileUploadResult[],
  files: F[],
  redeclare: (file: F, reason: 'renew' | 'reset') => Promise<UploadPlan | undefined>,
  options: SendDeclaredOptions<F> = {},
): Promise<StoredFile[]> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const byPath = new Map(files.map((f) => [f.remotePath, f]));
  const sending = new Set<string>();
  const failed = new Set<string>();
  const duplicates: Array<{ file: F; uploadId: string }> = [];
  const work: Array<{ file: F; plan: UploadPlan }> = [];
  for (const result of results) {
    const file = byPath.get(result.file.path);
    if (!file) throw new Error(`the server answered for ${result.file.path}, which was not declared`);
    if (!result.upload || sending.has(result.upload.uploadId)) {
      rt.progress.add(file.size);
      options.onFileProgress?.(file, file.size, file.size);
      if (!result.upload) options.onFileDone?.(file);
      else duplicates.push({ file, uploadId: result.upload.uploadId });
    } else {
      sending.add(result.upload.uploadId);
      work.push({ file, plan: result.upload });
    }
  }
  const onFileProgress = options.onFileProgress;
  // Files are taken on in turn; their PUTs share the runtime's bound. More files than PUTs are in
  // progress so that the next PUTs go out while earlier files wait for their (batched) completion.
  await mapLimit(work, concurrency * FILES_PER_PUT_SLOT, async ({ file, plan }) => {
    const share = rt.progress.child(file.size, onFileProgress && ((sent, total) => onFileProgress(file, sent, total)));
    try {
      await uploadWithPlan(rt, file.source, plan, (reason) => redeclare(file, reason), share);
      options.onFileDone?.(file);
    } catch (error) {
      if (!options.onFileError) throw error;
      failed.add(plan.uploadId);
      share.reset();
      options.onFileError(file, error);
    }
  });
  for (const { file, uploadId } of duplicates) {
    if (failed.has(uploadId)) options.onFileError?.(file, new Error(`the upload of the same content under another path failed`));
    else options.onFileDone?.(file);
  }
  return results.filter((r) => !r.upload || !failed.has(r.upload.uploadId)).map((r) => ({ ...r.file, state: 'available' as const }));
}
