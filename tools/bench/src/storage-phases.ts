import { readdirSync } from 'node:fs';
import { cpuDelta, sampleCpu, type CpuGroups, type CpuSample } from './process-cpu';
import type { BenchProject } from './server';

export const MiB = 1024 * 1024;

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mibPerSecond = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(1)} MiB/s`;
export const perSecond = (n: number, ms: number, unit = 'files/s') => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} ${unit}`;

export interface Row {
  store: string;
  client: string;
  figure: string;
  value: string;
  time: string;
  cpu: string;
}

/** Prints each figure as it is measured, with the CPU each process spent meanwhile, and keeps it for the summary. */
export class Phases {
  readonly rows: Row[] = [];
  client = '';

  constructor(
    private readonly store: string,
    private readonly groups: CpuGroups,
  ) {}

  sample(): CpuSample {
    return sampleCpu(this.groups);
  }

  record(figure: string, ms: number, value: string, before: CpuSample, after: CpuSample = this.sample()) {
    const row = { store: this.store, client: this.client, figure, value, time: seconds(ms), cpu: cpuDelta(before, after) };
    this.rows.push(row);
    console.log(`  ${figure.padEnd(44)} ${row.time.padStart(9)}  ${value.padStart(16)}   cpu: ${row.cpu}`);
    if (process.env.BENCH_API_CPU_PROF) console.log(`    profile window (monotonic µs): ${before.at}-${after.at}`);
  }

  /** Times `fn`, with CPU samples before and after. */
  async time<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; before: CpuSample; after: CpuSample }> {
    const before = this.sample();
    const t0 = performance.now();
    const result = await fn();
    const ms = performance.now() - t0;
    return { result, ms, before, after: this.sample() };
  }
}

/** What a workload gets: where to send, what to send, how to measure. */
export interface StoreRun {
  phases: Phases;
  project: BenchProject;
  /** A new run for each client, so content one client stored is not found already there by the next. */
  newRun(): Promise<string>;
  /** The store's directory of multipart uploads in progress (its parts). */
  uploadsDir: string;
  largePath: string;
  largeBytes: number;
  /** The small files, in memory and (for the SDK, which reads files) on disk under `smallDir`. */
  smallContents: Buffer[];
  smallDir: string;
  /** Scratch space for downloads. */
  work: string;
  inFlight: number;
  batchSize: number;
}

/**
 * Calls `onDrained` once `dir` (a store's directory of multipart uploads in
 * progress) has been seen non-empty and then empty: the store has assembled
 * the object and dropped the parts. Polls every 5 ms until stopped.
 */
export function watchUploadsDrain(dir: string, onDrained: () => void): { stop(): void; sawParts(): boolean } {
  let stopped = false;
  let seen = false;
  const list = () => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  void (async () => {
    while (!stopped) {
      if (list().length > 0) seen = true;
      else if (seen) {
        onDrained();
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return { stop: () => void (stopped = true), sawParts: () => seen };
}

/**
 * Records the completion of a multipart upload split at the moment the store
 * dropped the parts: before it, the store assembled the object; after it,
 * the API read the object back, hashed it and committed.
 */
export function recordCompletion(
  phases: Phases,
  bytes: number,
  complete: { start: number; end: number; before: CpuSample; after: CpuSample },
  drained: { at: number; cpu: CpuSample } | undefined,
  uploadsDir: string,
) {
  const ms = complete.end - complete.start;
  phases.record("server's completion (complete call)", ms, mibPerSecond(bytes, ms), complete.before, complete.after);
  if (!drained || drained.at < complete.start || drained.at > complete.end) {
    console.log(`    (could not split the completion: ${uploadsDir} was not seen draining during it)`);
    return;
  }
  const assemblyMs = drained.at - complete.start;
  phases.record('  of which: assembly of the parts', assemblyMs, mibPerSecond(bytes, assemblyMs), complete.before, drained.cpu);
  phases.record(
    '  of which: read back + SHA-256 + commit',
    ms - assemblyMs,
    mibPerSecond(bytes, ms - assemblyMs),
    drained.cpu,
    complete.after,
  );
}
