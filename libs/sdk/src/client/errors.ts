import type { ErrorBody, ErrorDetail } from '@trackbase/contracts';

/** The API's one error shape, `{"error": {"code", "message", "details"}}`, as an exception. */
export class TrackbaseApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** The server's own message, without status, code and fields (for people: the web app shows this). */
    readonly serverMessage: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(
      `${serverMessage} (${status} ${code})${details.length ? `: ${details.map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`).join('; ')}` : ''}`,
    );
    this.name = 'TrackbaseApiError';
  }

  /** From a response's status and parsed body; a body not of the error shape gives `http_<status>`. */
  static fromBody(status: number, body: unknown, statusText = ''): TrackbaseApiError {
    const error = (body as ErrorBody | undefined)?.error;
    return new TrackbaseApiError(status, error?.code ?? `http_${status}`, error?.message ?? statusText, error?.details);
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

/** The bytes that arrived are not the ones the server recorded. */
export class ChecksumMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksumMismatchError';
  }
}
