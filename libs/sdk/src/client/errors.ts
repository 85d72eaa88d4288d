import type { ErrorDetail } from '@trackbase/contracts';

/** An answer from the server that retrying will not change (a 4xx other than 408 and 429). */
export class TrackbaseApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(
      `${message} (${status} ${code})${details.length ? `: ${details.map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`).join('; ')}` : ''}`,
    );
    this.name = 'TrackbaseApiError';
  }
}

/** The server could not be reached or kept failing; what was logged stays on disk. */
export class TrackbaseUnavailableError extends Error {
  constructor(
    message: string,
    cause?: unknown,
    /** The server URL tried, when known. */
    readonly url?: string,
  ) {
    super(message, { cause });
    this.name = 'TrackbaseUnavailableError';
  }
}

/** The server answers 409 only for lasting conflicts (a slug taken, an upload not complete), so it is not retried. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A batch is also retried on 409: a conflict on (stream, seq) resolves once the other attempt commits. */
export function isRetryableBatchStatus(status: number): boolean {
  return isRetryableStatus(status) || status === 409;
}

/** Something that needs the server was asked of a run in offline mode (uploads are not journaled for `trackbase sync`). */
export class TrackbaseOfflineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackbaseOfflineError';
  }
}
