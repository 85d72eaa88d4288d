import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ByteRange } from './hash';

/** Called as bytes move: how many of how many. */
export type ProgressCallback = (sentBytes: number, totalBytes: number) => void;

/**
 * Bytes moved for one transfer of many files. Bytes of an attempt that fails
 * are taken back, so the count never exceeds the total and ends at it.
 */
export class TransferProgress {
  private done = 0;

  constructor(
    readonly total: number,
    private readonly callback?: ProgressCallback,
    private readonly parent?: TransferProgress,
  ) {}

  get sent(): number {
    return this.done;
  }

  add(bytes: number): void {
    if (bytes === 0) return;
    this.done += bytes;
    if (this.parent) this.parent.add(bytes);
    else this.callback?.(this.done, this.total);
  }

  /** The share of one file: its bytes count towards this total and can be taken back together. */
  child(total: number): TransferProgress {
    return new TransferProgress(total, undefined, this);
  }

  /** Takes back everything counted here (a file whose upload the server reset). */
  reset(): void {
    this.add(-this.done);
  }

  /** Counts what is left of this share as done (content the server already had). */
  finish(): void {
    this.add(this.total - this.done);
  }

  /** A file (or range) streamed from disk, counted as it is read by the request sending it. */
  readStream(path: string, range?: ByteRange): { stream: Readable; rollback: () => void } {
    let counted = 0;
    let abandoned = false;
    const chunks = async function* (progress: TransferProgress) {
      const options = range ? { start: range.start, end: range.end - 1 } : {};
      if (range && range.end <= range.start) return;
      for await (const chunk of createReadStream(path, { ...options, highWaterMark: 1024 * 1024 })) {
        // A store may answer an error before it has read the body; what is still sent then counts for nothing.
        if (abandoned) return;
        counted += (chunk as Buffer).length;
        progress.add((chunk as Buffer).length);
        yield chunk as Buffer;
      }
    };
    return {
      stream: Readable.from(chunks(this), { objectMode: false }),
      rollback: () => {
        abandoned = true;
        this.add(-counted);
        counted = 0;
      },
    };
  }
}
