import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadPlan } from '@trackbase/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackbaseApiError } from '../client/errors';
import { createLimiter } from '../client/transfer/limiter';
import { partRanges } from '../client/transfer/parts';
import { TransferProgress } from '../client/transfer/progress';
import { uploadWithPlan, type UploadCalls, type UploadRuntime } from '../client/transfer/upload-driver';
import { fileSource, sendFileRange, type FileSource } from './file-source';
import { FakeStore } from './testing/fake-store';

let store: FakeStore;
beforeAll(async () => (store = await FakeStore.start()));
afterAll(() => store.close());

const fast = { initialMs: 1, maxMs: 5, factor: 2 };
const md5hex = (b: Buffer) => createHash('md5').update(b).digest('hex');

function localFile(size: number): { path: string; content: Buffer } {
  const content = randomBytes(size);
  const path = join(mkdtempSync(join(tmpdir(), 'tb-up-')), 'file.bin');
  writeFileSync(path, content);
  return { path, content };
}

/** The server side of uploads in memory: part URLs on the fake store, reports checked against ETags, complete verifies the SHA-256. */
function fakeServer(
  uploadId: string,
  content: Buffer,
  partSize: number,
  options: { expireFirstUrlOf?: number; failFirstComplete?: boolean } = {},
) {
  const reported = new Map<number, string>();
  const urlRequests: number[] = [];
  let completes = 0;
  const calls: UploadCalls = {
    partUrls: async (_id, parts) => ({
      parts: parts.map((p) => {
        urlRequests.push(p.partNumber);
        const expired = p.partNumber === options.expireFirstUrlOf && urlRequests.filter((n) => n === p.partNumber).length === 1;
        return { partNumber: p.partNumber, url: store.url(`${uploadId}-${p.partNumber}`, expired), headers: { 'Content-MD5': p.md5 } };
      }),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    }),
    reportPart: async (_id, report) => {
      if (report.etag.replace(/"/g, '') !== Buffer.from(report.md5, 'base64').toString('hex'))
        throw new TrackbaseApiError(400, 'part_checksum_mismatch', 'corrupted');
      reported.set(report.partNumber, report.etag);
      return { uploadId, state: 'pending', completedParts: [...reported.keys()], partCount: 0 };
    },
    complete: async () => {
      completes++;
      const single = store.objects.get(uploadId);
      const assembled =
        single ??
        Buffer.concat(
          partRanges(content.length, partSize, Math.ceil(content.length / partSize)).map(
            (p) => store.objects.get(`${uploadId}-${p.partNumber}`) ?? Buffer.alloc(0),
          ),
        );
      if (options.failFirstComplete && completes === 1) {
        store.objects.delete(uploadId);
        throw new TrackbaseApiError(400, 'checksum_mismatch', 'the upload was reset');
      }
      if (!assembled.equals(content)) throw new TrackbaseApiError(400, 'checksum_mismatch', 'the upload was reset');
      return { uploadId, state: 'available', completedParts: [], partCount: 0 };
    },
  };
  return { calls, reported, urlRequests, completes: () => completes };
}

function runtime(calls: UploadCalls, total: number, concurrency: number, seen: number[] = []): UploadRuntime<FileSource> {
  return {
    calls,
    send: sendFileRange,
    puts: createLimiter(concurrency),
    progress: new TransferProgress(total, (sent) => seen.push(sent)),
    backoff: fast,
  };
}

const plan = (uploadId: string, size: number, partSize: number, extra: Partial<UploadPlan>): UploadPlan => ({
  uploadId,
  method: 'multipart',
  size,
  partSize,
  partCount: Math.ceil(size / partSize),
  completedParts: [],
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  ...extra,
});

describe('executing an upload plan', () => {
  it('resumes a multipart upload: only missing parts are sent, at most N at once, without the API key', async () => {
    const partSize = 1_000;
    const { path, content } = localFile(10_500);
    const uploadId = randomUUID();
    // Parts 1-3 landed in an earlier, interrupted process.
    for (const p of partRanges(content.length, partSize, 11).slice(0, 3))
      store.objects.set(`${uploadId}-${p.partNumber}`, content.subarray(p.start, p.end));
    const server = fakeServer(uploadId, content, partSize, { expireFirstUrlOf: 5 });
    const progress: number[] = [];
    const rt = runtime(server.calls, content.length, 2, progress);
    store.peakInFlight = 0;
    const putsBefore = store.puts.length;

    await uploadWithPlan(
      rt,
      fileSource(path),
      plan(uploadId, content.length, partSize, { completedParts: [1, 2, 3] }),
      async () => undefined,
      rt.progress.child(content.length),
    );

    const sent = store.puts.slice(putsBefore).filter((p) => p.name.startsWith(uploadId));
    expect(sent.map((p) => Number(p.name.split('-').at(-1))).sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(store.peakInFlight).toBe(2);
    expect(sent.every((p) => p.headers.authorization === undefined && p.headers['content-md5'])).toBe(true);
    // Part 5's first URL had expired: a second one was asked for.
    expect(server.urlRequests.filter((n) => n === 5)).toHaveLength(2);
    expect([...server.reported.keys()].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(server.completes()).toBe(1);
    expect(progress.at(-1)).toBe(content.length);
    expect(Math.max(...progress)).toBe(content.length);
  });

  it('renews an expired single-PUT URL by declaring the file again', async () => {
    const { path, content } = localFile(2_000);
    const uploadId = randomUUID();
    const server = fakeServer(uploadId, content, 5_000);
    const reasons: string[] = [];
    const fresh = plan(uploadId, content.length, 5_000, {
      method: 'single',
      url: store.url(uploadId),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    const stale = { ...fresh, url: store.url(uploadId, true), expiresAt: new Date(Date.now() - 1_000).toISOString() };
    const rt = runtime(server.calls, content.length, 4);
    await uploadWithPlan(rt, fileSource(path), stale, async (reason) => (reasons.push(reason), fresh), rt.progress.child(content.length));
    expect(reasons).toEqual(['renew']);
    expect(store.objects.get(uploadId)!.equals(content)).toBe(true);
    expect(md5hex(store.objects.get(uploadId)!)).toBe(md5hex(content));
  });

  it('sends the file again once when the server reset it after a checksum mismatch', async () => {
    const { path, content } = localFile(1_500);
    const uploadId = randomUUID();
    const server = fakeServer(uploadId, content, 5_000, { failFirstComplete: true });
    const single = plan(uploadId, content.length, 5_000, { method: 'single', url: store.url(uploadId), headers: {} });
    const reasons: string[] = [];
    const rt = runtime(server.calls, content.length, 4);
    await uploadWithPlan(rt, fileSource(path), single, async (reason) => (reasons.push(reason), single), rt.progress.child(content.length));
    expect(reasons).toEqual(['reset']);
    expect(server.completes()).toBe(2);
    expect(rt.progress.sent).toBe(content.length);
  });

  it('stops with a clear error when the file changed size since it was hashed', async () => {
    const { path } = localFile(100);
    const uploadId = randomUUID();
    const rt = runtime(fakeServer(uploadId, Buffer.alloc(0), 1_000).calls, 200, 1);
    await expect(
      uploadWithPlan(
        rt,
        fileSource(path),
        plan(uploadId, 200, 1_000, { method: 'single', url: store.url(uploadId) }),
        async () => undefined,
        rt.progress.child(200),
      ),
    ).rejects.toThrow(/changed since it was hashed/);
  });
});
