import { StorageErrorCode, type PartUrlsResponse, type ReportPartRequest, type UploadPlan, type UploadStatus } from '@trackbase/contracts';
import type { TrackbaseApi } from '../api';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff';
import { TrackbaseApiError } from '../errors';
import { sleep } from '../http';
import { createCompletionBatcher } from './completion-batcher';
import type { Limiter } from './limiter';
import { pendingParts, type ByteRange, type Part } from './parts';
import type { TransferProgress } from './progress';
import { corruptedInTransit, isRetryableTransferError, needsFreshUrl } from './store-errors';

/**
 * The upload protocol (declare → plan → part URLs → PUT → report → complete),
 * written once for every platform. What differs between Node and a browser
 * is only where bytes come from and how they travel: an `UploadSource` (a
 * file on disk, a Blob) and a `SendBytes` function (node:http, XHR, fetch).
 */
export interface UploadSource {
  /** For messages: a local path or a file name. */
  readonly name: string;
  /** The size now, to notice a file that changed since it was hashed. */
  currentSize(): Promise<number>;
  /** The base64 MD5 of a range, as S3's Content-MD5 and the part reports carry it. */
  md5Base64(range: ByteRange): Promise<string>;
}

/** One PUT of a range of `source` to a presigned URL with exactly the signed headers. */
export interface PutRequest<S extends UploadSource = UploadSource> {
  url: string;
  headers: Record<string, string>;
  source: S;
  range: ByteRange;
  /** Bytes of this attempt sent so far (growing). */
  onProgress: (loaded: number) => void;
  timeoutMs?: number;
}

/**
 * Sends the bytes and answers the store's ETag. A non-2xx answer throws
 * `PresignedRequestError` (from `PresignedRequestError.fromResponse`), a broken
 * connection an error with a network code (`StoreUnreachableError`), so the
 * driver can tell what a retry or a fresh URL would fix.
 */
export type SendBytes<S extends UploadSource = UploadSource> = (put: PutRequest<S>) => Promise<string>;

/** The project-scoped calls an upload makes besides the PUTs themselves. */
export interface UploadCalls {
  partUrls(uploadId: string, parts: Array<{ partNumber: number; md5: string }>): Promise<PartUrlsResponse>;
  reportPart(uploadId: string, report: ReportPartRequest): Promise<UploadStatus>;
  complete(uploadId: string): Promise<UploadStatus>;
}

/** One transfer's calls; completions of concurrent files share batch requests. */
export function projectUploadCalls(api: TrackbaseApi, org: string, project: string): UploadCalls {
  return {
    partUrls: (uploadId, parts) => api.uploadPartUrls(org, project, uploadId, parts),
    reportPart: (uploadId, report) => api.reportUploadPart(org, project, uploadId, report),
    complete: createCompletionBatcher((uploadIds) => api.completeUploads(org, project, uploadIds)),
  };
}

/** What every file of one transfer shares. */
export interface UploadRuntime<S extends UploadSource = UploadSource> {
  calls: UploadCalls;
  send: SendBytes<S>;
  /** Bounds the PUTs (whole files or parts) in flight across all files. */
  puts: Limiter;
  progress: TransferProgress;
  backoff?: BackoffOptions;
  /** Attempts of one PUT before giving up; fresh URLs after a 403 do not count. */
  maxAttempts?: number;
  timeoutMs?: number;
}

/**
 * Asks the server for the file's plan again: `renew` for a fresh single-PUT
 * URL, `reset` for a new start after the server discarded the upload.
 * Undefined: the content is stored by now.
 */
export type Redeclare = (reason: 'renew' | 'reset') => Promise<UploadPlan | undefined>;

/** A single-PUT URL this close to its expiry is renewed before use rather than tried. */
const RENEW_BEFORE_MS = 30_000;
/** How often an expired or refused URL is renewed for one PUT before the 403 counts as an answer. */
const MAX_URL_RENEWALS = 3;

const isApiCode = (error: unknown, code: string) => error instanceof TrackbaseApiError && error.code === code;

/**
 * Sends one file as its plan says and completes it; returns once the
 * server has verified size and SHA-256. A verification failure resets the
 * upload on the server: the file is sent once more before giving up.
 */
export async function uploadWithPlan<S extends UploadSource>(
  rt: UploadRuntime<S>,
  source: S,
  first: UploadPlan,
  redeclare: Redeclare,
  progress: TransferProgress,
): Promise<void> {
  let plan: UploadPlan | undefined = first;
  for (let round = 0; plan; round++) {
    const size = await source.currentSize();
    if (size !== plan.size) throw new Error(`${source.name} changed since it was hashed (${plan.size} bytes then, ${size} now)`);
    if (plan.method === 'single') plan = await sendSingle(rt, source, plan, redeclare, progress);
    else await sendParts(rt, source, plan, progress);
    if (!plan) break;
    try {
      await rt.calls.complete(plan.uploadId);
      break;
    } catch (error) {
      if (!isApiCode(error, StorageErrorCode.ChecksumMismatch)) throw error;
      if (round >= 1)
        throw new Error(
          `${source.name}: the server received other bytes than were hashed twice; did the file change during the upload? (${(error as Error).message})`,
        );
      progress.reset();
      plan = await redeclare('reset');
    }
  }
  progress.finish();
}

async function sendSingle<S extends UploadSource>(
  rt: UploadRuntime<S>,
  source: S,
  plan: UploadPlan,
  redeclare: Redeclare,
  progress: TransferProgress,
): Promise<UploadPlan | undefined> {
  let current: UploadPlan | undefined = plan;
  const sent = await rt.puts(() =>
    putWithRetries(rt, source, { start: 0, end: plan.size }, progress, async (fresh) => {
      if (fresh || Date.parse(current!.expiresAt) - Date.now() < RENEW_BEFORE_MS) current = await redeclare('renew');
      return current ? { url: current.url!, headers: current.headers ?? {} } : null;
    }),
  );
  return sent ? current : undefined;
}

async function sendParts<S extends UploadSource>(
  rt: UploadRuntime<S>,
  source: S,
  plan: UploadPlan,
  progress: TransferProgress,
): Promise<void> {
  const parts = pendingParts(plan);
  progress.add(plan.size - parts.reduce((sum, p) => sum + p.size, 0));
  let failed = false;
  await Promise.all(
    parts.map((part) =>
      rt.puts(async () => {
        // Once one part has failed for good, the parts still waiting do not start.
        if (failed) return;
        try {
          await sendPart(rt, source, plan.uploadId, part, progress);
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
    ),
  );
}

/** MD5 of the source's range, a URL signed for it, the PUT, then the report; a report refused as corrupted sends the part again. */
async function sendPart<S extends UploadSource>(
  rt: UploadRuntime<S>,
  source: S,
  uploadId: string,
  part: Part,
  progress: TransferProgress,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const md5 = await source.md5Base64(part);
    const sent = await putWithRetries(
      rt,
      source,
      part,
      progress,
      async () => (await rt.calls.partUrls(uploadId, [{ partNumber: part.partNumber, md5 }])).parts[0]!,
    );
    if (!sent!.etag) throw new Error(`the store gave no ETag for part ${part.partNumber} of ${source.name}`);
    try {
      await rt.calls.reportPart(uploadId, { partNumber: part.partNumber, etag: sent!.etag, md5, size: part.size });
      return;
    } catch (error) {
      sent!.rollback();
      if (!isApiCode(error, StorageErrorCode.PartChecksumMismatch) || attempt >= 2) throw error;
    }
  }
}

/**
 * One PUT of a byte range, read from the source again on every attempt:
 * network errors, 408, 429, 5xx and damaged bodies are retried with backoff;
 * a 403 (expired URL) asks `target` for a fresh URL. Null when `target` says
 * nothing is left to send.
 */
async function putWithRetries<S extends UploadSource>(
  rt: UploadRuntime<S>,
  source: S,
  range: ByteRange,
  progress: TransferProgress,
  target: (fresh: boolean) => Promise<{ url: string; headers: Record<string, string> } | null>,
): Promise<{ etag: string; rollback: () => void } | null> {
  const maxAttempts = rt.maxAttempts ?? 5;
  let fresh = false;
  let renewals = 0;
  for (let attempt = 0; ;) {
    const to = await target(fresh);
    if (!to) return null;
    fresh = false;
    const counted = progress.attempt();
    try {
      const etag = await rt.send({ ...to, source, range, onProgress: counted.loaded, timeoutMs: rt.timeoutMs });
      counted.loaded(range.end - range.start);
      return { etag, rollback: counted.abandon };
    } catch (error) {
      counted.abandon();
      if (needsFreshUrl(error) && renewals++ < MAX_URL_RENEWALS) {
        fresh = true;
        continue;
      }
      if (!isRetryableTransferError(error) && !corruptedInTransit(error)) throw error;
      if (++attempt >= maxAttempts)
        throw new Error(`upload of ${source.name} failed after ${maxAttempts} attempts: ${(error as Error).message}`, { cause: error });
      await sleep(backoffDelay(attempt - 1, rt.backoff ?? DEFAULT_BACKOFF));
    }
  }
}
