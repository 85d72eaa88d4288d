import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { downloadRunFiles, TrackbaseApi, uploadRunDir, uploadRunFile, type RunScope } from '@trackbase/sdk';
import type { CpuSample } from './process-cpu';
import { mibPerSecond, perSecond, recordCompletion, watchUploadsDrain, type Phases, type StoreRun } from './storage-phases';

/** One call of the SDK to the API, as seen from outside it. */
interface Call {
  name: string;
  start: number;
  end: number;
  before: CpuSample;
  after: CpuSample;
}

const NO_CPU: CpuSample = { at: 0, ticks: {} };

/**
 * Times the API calls the SDK makes on this client (it calls them through
 * the instance's properties), so the phases of an upload show from outside:
 * hashing ends when the declaration starts, the parts are sent between the
 * declaration and `complete`. CPU is sampled around `sampled` calls only.
 */
function instrument(api: TrackbaseApi, phases: Phases, sampled: Set<string>): Call[] {
  const calls: Call[] = [];
  for (const name of ['declareRunFiles', 'uploadPartUrls', 'reportUploadPart', 'completeUploads'] as const) {
    const original = api[name] as (...args: any[]) => Promise<unknown>;
    Object.assign(api, {
      [name]: async (...args: any[]) => {
        const before = sampled.has(name) ? phases.sample() : NO_CPU;
        const start = performance.now();
        try {
          return await original(...args);
        } finally {
          const end = performance.now();
          calls.push({ name, start, end, before, after: sampled.has(name) ? phases.sample() : NO_CPU });
        }
      },
    });
  }
  return calls;
}

/** The workloads through the SDK's own uploader and downloader (run.uploadFile / uploadDir use the same functions). */
export async function sdkWorkloads(ctx: StoreRun): Promise<void> {
  ctx.phases.client = 'sdk';
  const runKey = await ctx.newRun();
  console.log(
    `  client: @trackbase/sdk uploadRunFile / uploadRunDir / downloadRunFiles (what run.uploadFile and uploadDir call); run ${runKey}`,
  );
  const scope = (sampled: string[]) => {
    const api = new TrackbaseApi({ baseUrl: ctx.project.url, apiKey: ctx.project.key });
    const calls = instrument(api, ctx.phases, new Set(sampled));
    const run: RunScope = { api, org: ctx.project.org, project: ctx.project.project, run: runKey };
    return { run, calls };
  };
  if (ctx.largeBytes > 0) await largeFile(ctx, scope(['declareRunFiles', 'completeUploads']));
  if (ctx.smallContents.length > 0) await smallFiles(ctx, scope([]));
}

/** (a) uploadRunFile of the large file, cut into phases at its API calls; (c) downloadRunFiles of it (SHA-256 checked, written to disk). */
async function largeFile(
  { phases, uploadsDir, largePath, largeBytes, inFlight, work }: StoreRun,
  { run, calls }: { run: RunScope; calls: Call[] },
) {
  let drained: { at: number; cpu: CpuSample } | undefined;
  const watcher = watchUploadsDrain(uploadsDir, () => (drained = { at: performance.now(), cpu: phases.sample() }));
  const before = phases.sample();
  const t0 = performance.now();
  await uploadRunFile(run, largePath, 'large.bin', { concurrency: inFlight }).finally(() => watcher.stop());
  const t1 = performance.now();
  const after = phases.sample();

  const declare = calls.find((c) => c.name === 'declareRunFiles')!;
  const complete = calls.find((c) => c.name === 'completeUploads')!;
  const parts = calls.filter((c) => c.name === 'reportUploadPart').length;
  console.log(`  (a) large file: ${(largeBytes / 1024 ** 2).toFixed(0)} MiB, ${parts} parts, concurrency ${inFlight}`);
  phases.record(
    'client SHA-256 of the file (until declare)',
    declare.start - t0,
    mibPerSecond(largeBytes, declare.start - t0),
    before,
    declare.before,
  );
  phases.record('declare', declare.end - declare.start, '', declare.before, declare.after);
  const partsMs = complete.start - declare.end;
  phases.record('upload parts (wall)', partsMs, mibPerSecond(largeBytes, partsMs), declare.after, complete.before);
  recordCompletion(phases, largeBytes, complete, drained, uploadsDir);
  phases.record('end to end (uploadRunFile)', t1 - t0, mibPerSecond(largeBytes, t1 - t0), before, after);

  const dir = join(work, 'sdk-download');
  console.log('  (c) download through the signed URL with downloadRunFiles (SHA-256 checked as it streams, written to disk)');
  try {
    const downloaded = await phases.time(() => downloadRunFiles(run, 'large.bin', dir, { concurrency: inFlight }));
    const got = downloaded.result[0];
    if (!got?.downloaded || got.size !== largeBytes) throw new Error(`downloadRunFiles answered ${JSON.stringify(downloaded.result)}`);
    phases.record('download large file', downloaded.ms, mibPerSecond(largeBytes, downloaded.ms), downloaded.before, downloaded.after);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** (b) uploadRunDir of the small files on disk: it hashes and declares them 1000 at a time, then sends them `inFlight` at a time. */
async function smallFiles({ phases, smallContents, smallDir, inFlight }: StoreRun, { run, calls }: { run: RunScope; calls: Call[] }) {
  const count = smallContents.length;
  console.log(
    `  (b) small files: ${count.toLocaleString('en-US')} of ${smallContents[0]!.length / 1024} KiB from disk, concurrency ${inFlight}`,
  );
  const t0 = performance.now();
  const sent = await phases.time(() => uploadRunDir(run, smallDir, 'small', { concurrency: inFlight }));
  if (sent.result?.length !== count) throw new Error(`uploadRunDir stored ${sent.result?.length} of ${count} files`);
  const declares = calls.filter((c) => c.name === 'declareRunFiles');
  const completes = calls.filter((c) => c.name === 'completeUploads');
  const sum = (cs: Call[]) => cs.reduce((ms, c) => ms + c.end - c.start, 0);
  // Before each declaration the SDK walks and hashes its files; nothing is being sent meanwhile.
  const hashing = declares.reduce(
    (ms, d) => ms + d.start - Math.max(t0, ...completes.filter((c) => c.end <= d.start).map((c) => c.end)),
    0,
  );
  console.log(
    `    hashing before each declaration ${(hashing / 1000).toFixed(2)} s; declare ${(sum(declares) / 1000).toFixed(2)} s in ${declares.length} calls; ` +
      `complete: mean latency ${(sum(completes) / completes.length).toFixed(1)} ms over ${completes.length} calls`,
  );
  phases.record('end to end (uploadRunDir)', sent.ms, perSecond(count, sent.ms), sent.before, sent.after);
}
