import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PresignedRequestError } from '../client/transfer/store-errors';

/**
 * Requests to presigned URLs from Node. node:http rather than fetch, so a
 * body streams from disk with an exact Content-Length (S3 refuses chunked
 * uploads to presigned URLs).
 */
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
  return PresignedRequestError.fromResponse(response.statusCode ?? 0, text);
}
