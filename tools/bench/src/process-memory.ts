import { readFileSync } from 'node:fs';
import { processTree } from './process-cpu';

/**
 * Memory of a process, or of a process and every descendant (a PostgreSQL server's backends), from
 * /proc: the proportional set size (PSS), which splits shared pages (PostgreSQL's shared buffers)
 * between the processes that map them, so a group's figure is what it really holds. Linux only;
 * elsewhere null.
 */
export function memoryMb(pid: number, scope: 'self' | 'descendants' = 'self'): number | null {
  const pids = scope === 'descendants' ? processTree(pid) : [pid];
  let kb = 0;
  let seen = false;
  for (const p of pids) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      seen = true;
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return seen ? kb / 1024 : null;
}
