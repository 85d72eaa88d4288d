import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileDeclaration, UploadPlan } from '@trackbase/contracts';
import type { CpuSample } from './process-cpu';
import { MiB, mibPerSecond, perSecond, recordCompletion, seconds, watchUploadsDrain, type StoreRun } from './storage-phases';
import { sha256Hex, UploadClient, type SingleTimings } from './upload-client';

/**
 * The workloads through the SDK's upload driver with every step timed
 * (upload-client.ts): the parts and small files `inFlight` at a time.
 */
export async function directWorkloads(ctx: StoreRun): Promise<void> {
  ctx.phases.client = 'direct';
  const client = new UploadClient(ctx.project);
  const runKey = await ctx.newRun();
  console.log(`  client: the SDK's upload driver, steps timed (tools/bench/src/upload-client.ts), fetch; run ${runKey}`);
  if (ctx.largeBytes > 0) await largeFile(ctx, client, runKey);
  if (ctx.smallContents.length > 0) await smallFiles(ctx, client, runKey);
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** (a) One large file, multipart, each step timed; then (c) its download with fetch, bytes counted and dropped. */
async function largeFile(
  { phases, uploadsDir, largePath, largeBytes, inFlight }: StoreRun,
  client: UploadClient,
  runKey: string,
): Promise<void> {
  const hashed = await phases.time(() => sha256OfFile(largePath));
  const declared = await phases.time(() => client.declare(runKey, [{ path: 'large.bin', size: largeBytes, sha256: hashed.result }]));
  const plan: UploadPlan | undefined = declared.result.files[0]!.upload;
  if (plan?.method !== 'multipart') throw new Error(`expected a multipart plan, got ${JSON.stringify(declared.result.files[0])}`);
  console.log(
    `  (a) large file: ${(largeBytes / MiB).toFixed(0)} MiB, ${plan.partCount} parts of ${(plan.partSize / MiB).toFixed(0)} MiB, ${inFlight} in flight`,
  );
  phases.record('client SHA-256 of the file', hashed.ms, mibPerSecond(largeBytes, hashed.ms), hashed.before, hashed.after);
  phases.record('declare', declared.ms, '', declared.before, declared.after);

  const file = await open(largePath, 'r');
  const sent = await phases.time(() => client.sendParts(plan, file, inFlight)).finally(() => file.close());
  phases.record('upload parts (wall)', sent.ms, mibPerSecond(largeBytes, sent.ms), sent.before, sent.after);
  const t = sent.result;
  console.log(
    `    summed over parts: read ${seconds(t.readMs)}, MD5 ${seconds(t.md5Ms)}, part-urls ${seconds(t.partUrlsMs)}, ` +
      `PUT ${seconds(t.putMs)}, report ${seconds(t.reportMs)}`,
  );

  let drained: { at: number; cpu: CpuSample } | undefined;
  const watcher = watchUploadsDrain(uploadsDir, () => (drained = { at: performance.now(), cpu: phases.sample() }));
  const start = performance.now();
  const completed = await phases.time(() => client.complete(plan.uploadId)).finally(() => watcher.stop());
  if (completed.result.state !== 'available') throw new Error(`large file is ${completed.result.state} after complete`);
  recordCompletion(
    phases,
    largeBytes,
    { start, end: start + completed.ms, before: completed.before, after: completed.after },
    drained,
    uploadsDir,
  );
  const endToEnd = hashed.ms + declared.ms + sent.ms + completed.ms;
  phases.record(
    'end to end (hash + declare + parts + complete)',
    endToEnd,
    mibPerSecond(largeBytes, endToEnd),
    hashed.before,
    completed.after,
  );

  const url = await client.downloadUrl(runKey, 'large.bin');
  console.log(`  (c) download through the signed URL (${new URL(url).host}) with fetch, bytes counted and dropped`);
  const downloaded = await phases.time(async () => {
    const response = await fetch(url);
    if (!response.ok || !response.body) throw new Error(`download: ${response.status}`);
    let bytes = 0;
    for await (const chunk of response.body) bytes += (chunk as Uint8Array).length;
    return bytes;
  });
  if (downloaded.result !== largeBytes) throw new Error(`downloaded ${downloaded.result} bytes of ${largeBytes}`);
  phases.record('download large file', downloaded.ms, mibPerSecond(largeBytes, downloaded.ms), downloaded.before, downloaded.after);
}

/** (b) Many small files from memory, declared `batchSize` at a time, each PUT then completed. */
async function smallFiles({ phases, smallContents, batchSize, inFlight }: StoreRun, client: UploadClient, runKey: string): Promise<void> {
  const count = smallContents.length;
  console.log(
    `  (b) small files: ${count.toLocaleString('en-US')} of ${smallContents[0]!.length / 1024} KiB from memory, declared ${batchSize} at a time, ${inFlight} in flight`,
  );
  const hashed = await phases.time(async () =>
    smallContents.map((c, i): FileDeclaration => ({
      path: `small/${String(i).padStart(6, '0')}.bin`,
      size: c.length,
      sha256: sha256Hex(c),
    })),
  );
  const declared = await phases.time(async () => {
    const plans: Array<{ plan: UploadPlan; content: Buffer }> = [];
    for (let i = 0; i < count; i += batchSize) {
      const answer = await client.declare(runKey, hashed.result.slice(i, i + batchSize));
      answer.files.forEach((f, j) => {
        if (!f.upload || f.upload.method !== 'single') throw new Error(`${f.file.path}: expected a single upload plan`);
        plans.push({ plan: f.upload, content: smallContents[i + j]! });
      });
    }
    return plans;
  });
  const timings: SingleTimings = { putMs: 0, completeMs: 0 };
  const sent = await phases.time(() =>
    eachInFlight([...declared.result], inFlight, (next) => client.sendSingle(next.plan, next.content, timings)),
  );
  phases.record('client SHA-256', hashed.ms, perSecond(count, hashed.ms), hashed.before, hashed.after);
  phases.record('declare', declared.ms, perSecond(count, declared.ms), declared.before, declared.after);
  phases.record('PUT + complete', sent.ms, perSecond(count, sent.ms), sent.before, sent.after);
  console.log(
    `    per file, mean latency: PUT ${(timings.putMs / count).toFixed(1)} ms, complete ${(timings.completeMs / count).toFixed(1)} ms (${inFlight} in flight)`,
  );
  const total = hashed.ms + declared.ms + sent.ms;
  phases.record('end to end (hash + declare + PUT + complete)', total, perSecond(count, total), hashed.before, sent.after);

  // The floor under `complete`: an authenticated request that resolves the membership and reads one row, no storage I/O.
  const floor = await phases.time(() =>
    eachInFlight(
      declared.result.map((p) => p.plan.uploadId),
      inFlight,
      (id) => client.status(id),
    ),
  );
  phases.record('for comparison: GET upload status', floor.ms, perSecond(count, floor.ms, 'req/s'), floor.before, floor.after);
}

async function eachInFlight<T>(items: T[], inFlight: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const todo = [...items];
  const worker = async () => {
    for (let next = todo.shift(); next !== undefined; next = todo.shift()) await fn(next);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, todo.length) }, worker));
}
