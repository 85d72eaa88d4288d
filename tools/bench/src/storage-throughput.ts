/**
 * Artifact upload and download throughput through the real product path: the
 * built API as its own process, on the local-disk store and on S3 (an s3rver
 * process on 127.0.0.1), driven over HTTP from this process.
 *
 *   npx nx run-many -t build -p @trackbase/api @trackbase/sdk && npx tsx tools/bench/src/storage-throughput.ts
 *
 * Workloads, per store and per client:
 *   (a) one large file of random bytes, multipart: client SHA-256, declare,
 *       part uploads (wall), the server's completion (assembly, then its
 *       read-back SHA-256 check; told apart by watching the store's directory
 *       of upload parts drain), end to end;
 *   (b) many small files, declared 1000 at a time, each PUT then completed;
 *   (c) download of the large file through its signed URL.
 * Clients: `sdk`, the SDK's uploader and downloader (uploadRunFile,
 * uploadRunDir, downloadRunFiles: what run.uploadFile/uploadDir call), its
 * phases cut at the API calls it makes; `direct`, the same upload driver
 * from `@trackbase/sdk/client` over fetch with each step timed, one attempt
 * and one completion request per file (upload-client.ts), plus an
 * authenticated GET per small file as the floor under `complete`.
 * CPU seconds per process and phase (from /proc) show where the time goes.
 *
 * Env: BENCH_LARGE_MB (MiB, default 512), BENCH_SMALL_FILES (default 2000),
 * BENCH_SMALL_KB (KiB, default 4), BENCH_BATCH (files per declaration of the
 * direct client, default 1000; the SDK always sends 1000), BENCH_IN_FLIGHT
 * (parts or small files at once, default 4, the SDK's default too),
 * BENCH_STORES (default local,s3), BENCH_CLIENTS (default sdk,direct),
 * BENCH_PART_MB (the server's UPLOAD_PART_SIZE in MiB; default: the
 * server's, 16), BENCH_PORT (default 3910, and the next one),
 * BENCH_TIMEOUT_SECONDS (default 900), BENCH_DATABASE_URL (else an embedded
 * PostgreSQL), BENCH_API_CPU_PROF (a directory: the API runs with --cpu-prof
 * and leaves one .cpuprofile per store there when it stops; each figure then
 * prints its window on the profile's clock).
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CpuGroups } from './process-cpu';
import { startS3rver, type BenchS3 } from './s3rver';
import { api, setupProject, startServer } from './server';
import { directWorkloads } from './storage-direct';
import { MiB, Phases, seconds, type Row, type StoreRun } from './storage-phases';
import { sdkWorkloads } from './storage-sdk';

const largeBytes = Math.round(Number(process.env.BENCH_LARGE_MB ?? 512) * MiB);
const smallCount = Number(process.env.BENCH_SMALL_FILES ?? 2000);
const smallBytes = Math.round(Number(process.env.BENCH_SMALL_KB ?? 4) * 1024);
const batchSize = Number(process.env.BENCH_BATCH ?? 1000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 4);
const list = (value: string) => value.split(',').map((s) => s.trim());
const stores = list(process.env.BENCH_STORES ?? 'local,s3') as Array<'local' | 's3'>;
const clients = list(process.env.BENCH_CLIENTS ?? 'sdk,direct') as Array<'sdk' | 'direct'>;
const partMiB = process.env.BENCH_PART_MB ? Number(process.env.BENCH_PART_MB) : undefined;
const basePort = Number(process.env.BENCH_PORT ?? 3910);
const timeoutSeconds = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900);
for (const [name, value] of Object.entries({ largeBytes, smallCount, smallBytes, batchSize, inFlight, timeoutSeconds, basePort })) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: not a usable number (${value})`);
}
if (stores.some((s) => s !== 'local' && s !== 's3')) throw new Error(`BENCH_STORES: local and/or s3, not ${stores.join(',')}`);
if (clients.some((c) => c !== 'sdk' && c !== 'direct')) throw new Error(`BENCH_CLIENTS: sdk and/or direct, not ${clients.join(',')}`);
if (batchSize < 1 || batchSize > 1000 || inFlight < 1) throw new Error('BENCH_BATCH must be 1..1000 and BENCH_IN_FLIGHT at least 1');
if (smallCount > 0 && smallBytes < 1) throw new Error('BENCH_SMALL_KB must give at least one byte');

/** Everything started or created, undone in reverse order whatever happens (down to `mark`, by default all). */
const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp(mark = 0) {
  for (const undo of cleanups.splice(mark).reverse())
    await Promise.resolve(undo()).catch((error: unknown) => console.error('cleanup:', error));
}

/** Set once the run is being cut short: the load then fails against stopped servers, which is no news. */
let stopping = false;
function abort(reason: string, code: number) {
  stopping = true;
  console.error(reason);
  void cleanUp().finally(() => process.exit(code));
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'wx');
  try {
    const chunk = Buffer.allocUnsafe(16 * MiB);
    for (let written = 0; written < bytes;) {
      const n = Math.min(chunk.length, bytes - written);
      randomFillSync(chunk, 0, n);
      await file.write(chunk, 0, n);
      written += n;
    }
  } finally {
    await file.close();
  }
}

type Inputs = Pick<StoreRun, 'largePath' | 'largeBytes' | 'smallContents' | 'smallDir' | 'work' | 'inFlight' | 'batchSize'>;

/** One store: its server (and s3rver), a project, then each client's workloads; everything it started is stopped after. */
async function benchStore(store: 'local' | 's3', index: number, inputs: Inputs): Promise<Row[]> {
  const mark = cleanups.length;
  try {
    let s3: BenchS3 | undefined;
    const env: Record<string, string> = partMiB ? { UPLOAD_PART_SIZE: String(Math.round(partMiB * MiB)) } : {};
    const artifactsDir = join(inputs.work, `artifacts-${store}`);
    if (store === 's3') {
      s3 = await startS3rver();
      cleanups.push(() => s3!.stop());
      Object.assign(env, s3.env);
    } else {
      Object.assign(env, { STORAGE_DRIVER: 'local', ARTIFACTS_DIR: artifactsDir });
    }
    const profile = process.env.BENCH_API_CPU_PROF;
    const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=api-${store}.cpuprofile`] : [];
    const server = await startServer(basePort + index, env, nodeArgs);
    cleanups.push(() => server.stop());

    const groups: CpuGroups = { client: { pid: process.pid, scope: 'self' }, api: { pid: server.pid, scope: 'self' } };
    if (!process.env.BENCH_DATABASE_URL) groups.postgres = { pid: server.pid, scope: 'descendants' };
    if (s3) groups.s3rver = { pid: s3.pid, scope: 'self' };
    const phases = new Phases(store, groups);
    const project = await setupProject(server.url, `storage-${store}`);
    const ctx: StoreRun = {
      ...inputs,
      phases,
      project,
      newRun: async () => ((await api(project)('POST', project.runs, {})) as { key: string }).key,
      // s3rver keeps parts under <bucket>/._S3rver_uploads/<id>/, the local driver under .uploads/<id>/.
      uploadsDir: s3 ? join(s3.directory, s3.bucket, '._S3rver_uploads') : join(artifactsDir, '.uploads'),
    };
    console.log(
      `\n[${store}] API pid ${server.pid} at ${server.url}${s3 ? `, s3rver pid ${s3.pid} at ${s3.endpoint}` : `, store ${artifactsDir}`}`,
    );
    for (const client of clients) await (client === 'sdk' ? sdkWorkloads(ctx) : directWorkloads(ctx));
    return phases.rows;
  } finally {
    await cleanUp(mark);
  }
}

async function main() {
  const timer = setTimeout(() => abort(`timed out after ${timeoutSeconds} s; stopping`, 2), timeoutSeconds * 1000);
  timer.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort(`${signal}; stopping`, 130));

  const work = mkdtempSync(join(tmpdir(), 'trackbase-bench-storage-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  try {
    console.log(
      `storage throughput: stores ${stores.join(', ')}; clients ${clients.join(', ')}; large file ${(largeBytes / MiB).toFixed(0)} MiB; ` +
        `${smallCount} small files of ${smallBytes / 1024} KiB; ${inFlight} in flight; the built API started as its own process`,
    );
    const inputs: Inputs = {
      largePath: join(work, 'large.bin'),
      largeBytes,
      smallContents: [],
      smallDir: join(work, 'small'),
      work,
      inFlight,
      batchSize,
    };
    if (largeBytes > 0) {
      const t0 = performance.now();
      await writeRandomFile(inputs.largePath, largeBytes);
      console.log(
        `wrote ${(largeBytes / MiB).toFixed(0)} MiB of random bytes to ${inputs.largePath} in ${seconds(performance.now() - t0)}`,
      );
    }
    if (smallCount > 0) {
      const pool = randomBytes(smallCount * smallBytes);
      inputs.smallContents = Array.from({ length: smallCount }, (_, i) => pool.subarray(i * smallBytes, (i + 1) * smallBytes));
      mkdirSync(inputs.smallDir);
      inputs.smallContents.forEach((content, i) => writeFileSync(join(inputs.smallDir, `${String(i).padStart(6, '0')}.bin`), content));
    }
    const rows: Row[] = [];
    for (const [index, store] of stores.entries()) rows.push(...(await benchStore(store, index, inputs)));
    console.log('\n| store | client | figure | rate | time | CPU by process |\n| --- | --- | --- | --- | --- | --- |');
    for (const r of rows) console.log(`| ${r.store} | ${r.client} | ${r.figure.trim()} | ${r.value} | ${r.time} | ${r.cpu} |`);
  } finally {
    await cleanUp();
    clearTimeout(timer);
  }
}

main().catch((error) => {
  if (!stopping) console.error(error);
  process.exitCode = 1;
});
