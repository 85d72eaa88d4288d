import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { DeclareFilesResponse, FileDeclaration, UploadPlan, UploadStatus } from '@trackbase/contracts';
import {
  bytesSource,
  createUploadRuntime,
  sendWithFetch,
  TrackbaseApi,
  uploadWithPlan,
  type ByteRange,
  type BytesSource,
  type PutRequest,
  type Redeclare,
  type SendBytes,
  type UploadCalls,
  type UploadRuntime,
  type UploadSource,
} from '@trackbase/sdk/client';
import type { BenchProject } from './server';

/**
 * The file protocol driven by the SDK's upload driver (`@trackbase/sdk/client`,
 * libs/sdk/src/client/transfer: declare → plan → part URLs → PUT → report →
 * complete), with each step timed: the driver is handed calls and a transport
 * that measure what they do. Bytes go with the SDK's fetch transport, one
 * attempt each and no batching of completions, so every figure is one request
 * (the Node SDK's own path, node:http from files and batched completions, is
 * what storage-sdk.ts measures).
 */
export class UploadClient {
  private readonly api: TrackbaseApi;

  constructor(private readonly project: BenchProject) {
    this.api = new TrackbaseApi({ baseUrl: project.url, apiKey: project.key, maxAttempts: 1 });
  }

  declare(runKey: string, files: FileDeclaration[]): Promise<DeclareFilesResponse> {
    return this.api.declareRunFiles(this.project.org, this.project.project, runKey, files);
  }

  status(uploadId: string): Promise<UploadStatus> {
    return this.api.uploadStatus(this.project.org, this.project.project, uploadId);
  }

  complete(uploadId: string): Promise<UploadStatus> {
    return this.api.completeUpload(this.project.org, this.project.project, uploadId);
  }

  async downloadUrl(runKey: string, path: string): Promise<string> {
    return (await this.api.runFileUrl(this.project.org, this.project.project, runKey, path)).url;
  }

  /** One PUT of the whole file, then its completion, through the driver; adds the time of each to `timings`. */
  async sendSingle(plan: UploadPlan, content: Buffer, timings: SingleTimings): Promise<void> {
    let completed: UploadStatus | undefined;
    const calls: UploadCalls = {
      ...this.calls(),
      complete: async (uploadId) => (completed = await timed(timings, 'completeMs', () => this.complete(uploadId))),
    };
    const send: SendBytes<BytesSource> = (put) => timed(timings, 'putMs', () => sendWithFetch(put));
    const rt = oneAttempt(createUploadRuntime(calls, send, content.length, { concurrency: 1 }));
    await uploadWithPlan(rt, bytesSource(plan.uploadId, content, md5Base64), plan, planMustLast, rt.progress.child(content.length));
    if (completed?.state !== 'available') throw new Error(`upload ${plan.uploadId} is ${completed?.state} after complete`);
  }

  /**
   * Sends every part of `plan` not yet stored, `inFlight` at a time, each read
   * from `file` once (for its MD5, then sent from memory). Does not complete:
   * the caller times completion as its own phase. Returns the time spent in
   * each step, summed over parts (so with parts in flight the sums exceed the wall time).
   */
  async sendParts(plan: UploadPlan, file: FileHandle, inFlight: number): Promise<PartTimings> {
    const timings: PartTimings = { readMs: 0, md5Ms: 0, partUrlsMs: 0, putMs: 0, reportMs: 0 };
    const read = new Map<number, Buffer>();
    const readRange = async ({ start, end }: ByteRange): Promise<Buffer> => {
      const bytes = Buffer.allocUnsafe(end - start);
      const { bytesRead } = await timed(timings, 'readMs', () => file.read(bytes, 0, bytes.length, start));
      if (bytesRead !== bytes.length) throw new Error(`bytes ${start}-${end}: read ${bytesRead} of ${bytes.length}`);
      return bytes;
    };
    const source: UploadSource = {
      name: plan.uploadId,
      currentSize: async () => (await file.stat()).size,
      md5Base64: async (range) => {
        const bytes = await readRange(range);
        read.set(range.start, bytes);
        return timed(timings, 'md5Ms', async () => md5Base64(bytes));
      },
    };
    // The driver asks for the MD5 of a part just before sending it (and again on a retry): the bytes are those read for it.
    const send: SendBytes = async ({ source: from, range, ...put }: PutRequest) => {
      const bytes = read.get(range.start) ?? (await readRange(range));
      read.delete(range.start);
      const inMemory = bytesSource(from.name, bytes, md5Base64);
      return timed(timings, 'putMs', () => sendWithFetch({ ...put, source: inMemory, range: { start: 0, end: bytes.length } }));
    };
    const calls = this.calls();
    const timedCalls: UploadCalls = {
      partUrls: (uploadId, parts) => timed(timings, 'partUrlsMs', () => calls.partUrls(uploadId, parts)),
      reportPart: (uploadId, report) => timed(timings, 'reportMs', () => calls.reportPart(uploadId, report)),
      // Left to the caller; the driver only needs to hear that the parts are in.
      complete: async (uploadId) => ({ uploadId, state: 'pending', completedParts: [], partCount: plan.partCount }),
    };
    const rt = oneAttempt(createUploadRuntime(timedCalls, send, plan.size, { concurrency: inFlight }));
    await uploadWithPlan(rt, source, plan, planMustLast, rt.progress.child(plan.size));
    return timings;
  }

  /** The project's upload calls, one request each (no batched completions: each file's completion is its own figure). */
  private calls(): UploadCalls {
    const { org, project } = this.project;
    return {
      partUrls: (uploadId, parts) => this.api.uploadPartUrls(org, project, uploadId, parts),
      reportPart: (uploadId, report) => this.api.reportUploadPart(org, project, uploadId, report),
      complete: (uploadId) => this.complete(uploadId),
    };
  }
}

export interface SingleTimings {
  putMs: number;
  completeMs: number;
}

export interface PartTimings {
  readMs: number;
  md5Ms: number;
  partUrlsMs: number;
  putMs: number;
  reportMs: number;
}

async function timed<K extends string, T>(timings: Record<K, number>, key: K, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings[key] += performance.now() - start;
  }
}

/** Every PUT is tried once: a benchmark reports failures rather than retrying them into its figures. */
function oneAttempt<S extends UploadSource>(rt: UploadRuntime<S>): UploadRuntime<S> {
  return { ...rt, maxAttempts: 1 };
}

const planMustLast: Redeclare = async () => {
  throw new Error('the benchmark expected its upload plan to last (expired URL or reset upload)');
};

const md5Base64 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
