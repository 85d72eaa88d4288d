import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { BatchBuffer, type JournalEntry } from './entries';

export interface JournalMeta {
  localId: string;
  org: string;
  project: string;
  streamId: string;
  runId?: string;
  runKey?: string;
  runUrl?: string;
  externalId?: string;
  name?: string;
  /** A fork: the parent run (id or key) and the last step it inherits. */
  fork?: { from: string; step: number };
  createdAt: string;
  mode: string;
}

export interface PendingBatch {
  seq: number;
  entries: JournalEntry[];
}

export interface JournalState {
  meta: JournalMeta;
  /** Batches cut but not acknowledged, in order. */
  pending: PendingBatch[];
  /** Entries logged after the last cut. */
  tail: JournalEntry[];
  nextSeq: number;
  finishState: string | null;
  rejected: number;
}

const JOURNAL = 'journal.jsonl';
const META = 'meta.json';

/**
 * Append-only record of everything a run logged, written before it is sent.
 * Lines: entries, `b` (the entries since the previous cut form batch `seq`),
 * `a` (batch acknowledged), `r` (batch rejected for good), `finish`. A torn
 * last line (the process died mid-write) is ignored on replay.
 */
export class Journal {
  private fd: number;
  /** Bytes written so far: where the next entry starts. */
  position: number;

  private constructor(readonly dir: string) {
    this.fd = openSync(join(dir, JOURNAL), 'a+');
    this.position = statSync(join(dir, JOURNAL)).size;
  }

  static create(dir: string, meta: JournalMeta): Journal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, META), JSON.stringify(meta, null, 2), { mode: 0o600 });
    return new Journal(dir);
  }

  static open(dir: string): Journal {
    return new Journal(dir);
  }

  static exists(dir: string): boolean {
    return existsSync(join(dir, META));
  }

  updateMeta(meta: JournalMeta): void {
    writeFileSync(join(this.dir, META), JSON.stringify(meta, null, 2), { mode: 0o600 });
  }

  append(entry: JournalEntry): void {
    this.position += writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  /** The entries written between two positions, for re-sending one batch without replaying the file. */
  readRange(start: number, end: number): JournalEntry[] {
    const buffer = Buffer.alloc(end - start);
    readSync(this.fd, buffer, 0, buffer.length, start);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as JournalEntry)
      .filter((entry) => entry.t !== 'b' && entry.t !== 'a' && entry.t !== 'r' && entry.t !== 'finish');
  }

  close(): void {
    closeSync(this.fd);
  }

  remove(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  sizeBytes(): number {
    return statSync(join(this.dir, JOURNAL)).size;
  }

  static replay(dir: string): JournalState {
    const meta = JSON.parse(readFileSync(join(dir, META), 'utf8')) as JournalMeta;
    const text = existsSync(join(dir, JOURNAL)) ? readFileSync(join(dir, JOURNAL), 'utf8') : '';
    const batches = new Map<number, PendingBatch>();
    let tail: JournalEntry[] = [];
    let nextSeq = 0;
    let finishState: string | null = null;
    let rejected = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue; // torn write at the very end
      }
      if (entry.t === 'b') {
        batches.set(entry.seq, { seq: entry.seq, entries: tail });
        tail = [];
        nextSeq = entry.seq + 1;
      } else if (entry.t === 'a') batches.delete(entry.seq);
      else if (entry.t === 'r') {
        batches.delete(entry.seq);
        rejected++;
      } else if (entry.t === 'finish') finishState = entry.state;
      else tail.push(entry);
    }
    return { meta, pending: [...batches.values()].sort((a, b) => a.seq - b.seq), tail, nextSeq, finishState, rejected };
  }
}

export function batchFromEntries(streamId: string, seq: number, entries: JournalEntry[]) {
  const buffer = new BatchBuffer();
  for (const entry of entries) buffer.apply(entry);
  return { batch: buffer.toBatch(streamId, seq), points: buffer.points };
}

export function runsDir(dataDir: string): string {
  return join(dataDir, 'runs');
}

/** Journals of runs that still have something to send or finish. */
export function listJournals(dataDir: string): string[] {
  const dir = runsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => Journal.exists(path))
    .sort();
}
