import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Requests to presigned URLs (S3's, or the API's own local-store URLs). They
 * carry only the headers the server signed: never the Trackbase API key,
 * which must not reach a third-party store. node:http rather than fetch, so
 * a body streams from disk with an exact Content-Length (S3 refuses chunked
 * uploads to presigned URLs).
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
}

const DEFAULT_TIMEOUT_MS = 120_000;

/** PUTs `size` bytes from `body` and returns the ETag the store answered with. */
export async function putPresigned(
  url: string,
  headers: Record<string, string>,
  body: Readable,
  size: number,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<string> {
  const response = await send('PUT', url, { ...headers, 'content-length': String(size) }, timeoutMs, body);
  if (response.statusCode! < 200 || response.statusCode! >= 300) throw await failure(response);
  response.resume();
  return String(response.headers.etag ?? '');
}

/** GETs a URL; the caller consumes the body stream of a 200. */
export async function getPresigned(url: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<IncomingMessage> {
  const response = await send('GET', url, {}, timeoutMs);
  if (response.statusCode !== 200) throw await failure(response);
  return response;
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

function send(method: string, url: string, headers: OutgoingHttpHeaders, timeoutMs: number, body?: Readable): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { method, headers }, resolve);
    // An idle timeout (no bytes either way), so a slow but moving transfer of a large part is not cut off.
    request.setTimeout(timeoutMs, () =>
      request.destroy(Object.assign(new Error(`${method} to the store made no progress for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
    if (!body) return void request.end();
    pipeline(body, request).catch((error: unknown) => {
      body.destroy();
      reject(error);
    });
  });
}

async function failure(response: IncomingMessage): Promise<PresignedRequestError> {
  let text = '';
  for await (const chunk of response) if (text.length < 4_096) text += String(chunk);
  const status = response.statusCode ?? 0;
  const { code, message } = parseError(text);
  return new PresignedRequestError(status, code ?? `http_${status}`, `the store answered ${status}${message ? `: ${message}` : ''}`);
}

/** The API's `{"error": {...}}` or S3's `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function parseError(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body?.error) return { code: body.error.code, message: body.error.message };
  } catch {
    // not JSON: S3 answers XML
  }
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return { code: tag('Code'), message: tag('Message') ?? (text.slice(0, 200) || undefined) };
}
