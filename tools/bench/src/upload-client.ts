import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { DeclareFilesResponse, FileDeclaration, UploadPlan, UploadStatus } from '@trackbase/contracts';
import { bytesSource, sendWithFetch, TrackbaseApi } from '@trackbase/sdk/client';
import type { BenchProject } from './server';

/**
 * The client side of the file protocol step by step, so a benchmark can time
 * each step (and compare the SDK's driver with the bare protocol; the driver
 * is libs/sdk/src/client/transfer): declare (path, size, SHA-256) → an upload
 * plan per file; `single`: PUT the bytes to the signed URL with exactly its
 * headers, then complete; `multipart`: per part ask for a URL signed for its
 * MD5, PUT it, report the store's ETag, then complete (the server reads the
 * object back and checks its SHA-256). The calls go through the SDK's client
 * and its fetch transport, without retries, so every figure is one attempt.
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

  /** One PUT of the whole file, then complete; adds the time of each to `timings`. */
  async sendSingle(plan: UploadPlan, content: Buffer, timings: SingleTimings): Promise<void> {
    const t0 = performance.now();
    await put(plan.url!, plan.headers ?? {}, content);
    const t1 = performance.now();
    const status = await this.complete(plan.uploadId);
    timings.putMs += t1 - t0;
    timings.completeMs += performance.now() - t1;
    if (status.state !== 'available') throw new Error(`upload ${plan.uploadId} is ${status.state} after complete`);
  }

  /**
   * Sends every part of `plan` not yet stored, `inFlight` at a time, reading
   * each from `file`. Does not complete. Returns the time spent in each step,
   * summed over parts (so with parts in flight the sums exceed the wall time).
   */
  async sendParts(plan: UploadPlan, file: FileHandle, inFlight: number): Promise<PartTimings> {
    const timings: PartTimings = { readMs: 0, md5Ms: 0, partUrlsMs: 0, putMs: 0, reportMs: 0 };
    const todo = Array.from({ length: plan.partCount }, (_, i) => i + 1).filter((n) => !plan.completedParts.includes(n));
    const { org, project } = this.project;
    const worker = async () => {
      const buffer = Buffer.allocUnsafe(plan.partSize);
      for (let partNumber = todo.shift(); partNumber !== undefined; partNumber = todo.shift()) {
        let t = performance.now();
        const length = Math.min(plan.partSize, plan.size - (partNumber - 1) * plan.partSize);
        const { bytesRead } = await file.read(buffer, 0, length, (partNumber - 1) * plan.partSize);
        if (bytesRead !== length) throw new Error(`part ${partNumber}: read ${bytesRead} of ${length} bytes`);
        const bytes = buffer.subarray(0, length);
        t = lap(timings, 'readMs', t);
        const md5 = createHash('md5').update(bytes).digest('base64');
        t = lap(timings, 'md5Ms', t);
        const signed = await this.api.uploadPartUrls(org, project, plan.uploadId, [{ partNumber, md5 }]);
        t = lap(timings, 'partUrlsMs', t);
        const etag = await put(signed.parts[0]!.url, signed.parts[0]!.headers, bytes);
        t = lap(timings, 'putMs', t);
        await this.api.reportUploadPart(org, project, plan.uploadId, { partNumber, etag, md5, size: length });
        lap(timings, 'reportMs', t);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, todo.length) }, worker));
    return timings;
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

function lap(timings: PartTimings, key: keyof PartTimings, since: number): number {
  const now = performance.now();
  timings[key] += now - since;
  return now;
}

/** PUT to a signed URL with exactly the signed headers (the SDK's fetch transport); answers the store's ETag. */
async function put(url: string, headers: Record<string, string>, body: Buffer): Promise<string> {
  const source = bytesSource(new URL(url).pathname.slice(0, 80), body, () => '');
  const etag = await sendWithFetch({ url, headers, source, range: { start: 0, end: body.length }, onProgress: () => undefined });
  if (!etag) throw new Error('the store answered no ETag');
  return etag;
}

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
