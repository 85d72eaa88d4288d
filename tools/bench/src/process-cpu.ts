import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) of processes, read from /proc, so a benchmark
 * can show which process a phase's time went to. Linux only; elsewhere every
 * figure is null.
 */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it start past the last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return stats;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  return stats;
}

/** A process and every descendant of it, as they are now. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [child, stat] of allStats()) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), child]);
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) pids.push(...(children.get(pids[i]!) ?? []));
  return pids;
}

/** Named groups: one process itself, or every descendant of it (an embedded PostgreSQL under the API). */
export type CpuGroups = Record<string, { pid: number; scope: 'self' | 'descendants' }>;

export interface CpuSample {
  /** When: CLOCK_MONOTONIC in µs, the clock of V8's --cpu-prof timestamps, so a phase can be cut out of a profile. */
  at: number;
  /** Clock ticks so far of each process of each group; null where the group's root is gone or /proc is missing. */
  ticks: Record<string, Map<number, number> | null>;
}

/** The CPU each group has used so far, process by process. */
export function sampleCpu(groups: CpuGroups): CpuSample {
  const at = Number(process.hrtime.bigint() / 1000n);
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  const ticks: CpuSample['ticks'] = {};
  for (const [name, group] of Object.entries(groups)) {
    if (!stats.has(group.pid)) {
      ticks[name] = null;
      continue;
    }
    const pids = group.scope === 'self' ? [group.pid] : [...(children.get(group.pid) ?? [])];
    if (group.scope === 'descendants') {
      for (let i = 0; i < pids.length; i++) pids.push(...(children.get(pids[i]!) ?? []));
    }
    ticks[name] = new Map(pids.map((pid) => [pid, stats.get(pid)?.ticks ?? 0]));
  }
  return { at, ticks };
}

/**
 * CPU seconds each group used between two samples, formatted as `name 1.2 s`
 * parts. A process that started meanwhile counts in full; one that exited
 * meanwhile is lost (its time since `before` cannot be read any more).
 */
export function cpuDelta(before: CpuSample, after: CpuSample): string {
  return Object.entries(after.ticks)
    .filter(([name, now]) => now && before.ticks[name])
    .map(([name, now]) => {
      const then = before.ticks[name]!;
      let used = 0;
      for (const [pid, ticks] of now!) used += ticks - (then.get(pid) ?? 0);
      return `${name} ${(used / TICKS).toFixed(1)} s`;
    })
    .join(', ');
}

/** Milliseconds of CPU one group used between two samples; null where either sample lacks the group. */
export function cpuMs(before: CpuSample, after: CpuSample, group: string): number | null {
  const then = before.ticks[group];
  const now = after.ticks[group];
  if (!then || !now) return null;
  let used = 0;
  for (const [pid, ticks] of now) used += ticks - (then.get(pid) ?? 0);
  return (used / TICKS) * 1000;
}
