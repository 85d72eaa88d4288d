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
    this.parent?.add(bytes);
    this.callback?.(this.done, this.total);
  }

  /** The share of one file: its bytes count towards this total and can be taken back together; `callback` hears this share alone. */
  child(total: number, callback?: ProgressCallback): TransferProgress {
    return new TransferProgress(total, callback, this);
  }

  /** Takes back everything counted here (a file whose upload the server reset). */
  reset(): void {
    this.add(-this.done);
  }

  /** Counts what is left of this share as done (content the server already had). */
  finish(): void {
    this.add(this.total - this.done);
  }

  /**
   * Counts one attempt of sending or receiving bytes: `loaded` is how far the
   * attempt got. Once it is `abandon`ed (it failed), its bytes are taken back
   * and what it still reports counts for nothing (a store may answer an error
   * before it has read the body).
   */
  attempt(): { loaded: (bytes: number) => void; abandon: () => void } {
    let counted = 0;
    let abandoned = false;
    return {
      loaded: (bytes) => {
        if (abandoned || bytes <= counted) return;
        this.add(bytes - counted);
        counted = bytes;
      },
      abandon: () => {
        abandoned = true;
        this.add(-counted);
        counted = 0;
      },
    };
  }
}
