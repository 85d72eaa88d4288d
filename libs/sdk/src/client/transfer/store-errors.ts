import { StorageErrorCode } from '@trackbase/contracts';

/**
 * An answer of a presigned URL (S3's, or the API's own local-store URLs)
 * other than 2xx. Requests to such URLs carry only the headers the server
 * signed: never the Trackbase API key, which must not reach a third-party store.
 */
export class PresignedRequestError extends Error {
  constructor(
    readonly status: number,
    /** The store's error code: the API's `url_expired`, S3's `AccessDenied`, ... */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PresignedRequestError';
  }

  /** From the status and body text of the store's answer. */
  static fromResponse(status: number, text: string): PresignedRequestError {
    const { code, message } = parseStoreError(text);
    return new PresignedRequestError(status, code ?? `http_${status}`, `the store answered ${status}${message ? `: ${message}` : ''}`);
  }
}

/** The store could not be reached, or the connection broke (a browser's network error has no code to tell more). */
export class StoreUnreachableError extends Error {
  readonly code = 'ECONNRESET';
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnreachableError';
  }
}

/** Socket-level failures: the connection broke or never came up. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Pausing and retrying helps: the store was busy or the connection broke.
 * 403 is handled apart (ask for a new URL); errors of the API's own calls
 * were already retried by the API client, and local file errors will not heal.
 */
export function isRetryableTransferError(error: unknown): boolean {
  if (error instanceof PresignedRequestError) return error.status === 408 || error.status === 429 || error.status >= 500;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

/** Expired or refused signatures: a fresh URL may work where this one did not. */
export function needsFreshUrl(error: unknown): boolean {
  return error instanceof PresignedRequestError && error.status === 403;
}

/** The store refused the body as not matching its Content-MD5: damaged on the way, worth sending again. */
export function corruptedInTransit(error: unknown): boolean {
  return (
    error instanceof PresignedRequestError &&
    error.status === 400 &&
    ['BadDigest', 'InvalidDigest', StorageErrorCode.PartChecksumMismatch, StorageErrorCode.ChecksumMismatch].includes(error.code)
  );
}

/** The API's `{"error": {...}}` or S3's `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function parseStoreError(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body?.error) return { code: body.error.code, message: body.error.message };
  } catch {
    // not JSON: S3 answers XML
  }
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return { code: tag('Code'), message: tag('Message') ?? (text.slice(0, 200) || undefined) };
}
