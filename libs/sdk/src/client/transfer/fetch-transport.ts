import type { ByteRange } from './parts';
import { PresignedRequestError, StoreUnreachableError } from './store-errors';
import type { PutRequest, UploadSource } from './upload-driver';

/** Bytes in memory as the upload driver reads them. */
export interface BytesSource extends UploadSource {
  readonly bytes: Uint8Array;
}

/**
 * `md5Base64` computes the base64 MD5 of some bytes: the platform's own
 * (node:crypto in Node; browsers have no MD5 in WebCrypto, so a library).
 */
export function bytesSource(name: string, bytes: Uint8Array, md5Base64: (bytes: Uint8Array) => string | Promise<string>): BytesSource {
  return {
    name,
    bytes,
    currentSize: async () => bytes.length,
    md5Base64: async (range: ByteRange) => md5Base64(bytes.subarray(range.start, range.end)),
  };
}

/**
 * A transport for bytes in memory over fetch, in Node or a browser. fetch
 * reports no upload progress: the range counts as sent once the store answered.
 */
export async function sendWithFetch({ url, headers, source, range, onProgress, timeoutMs }: PutRequest<BytesSource>): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'PUT',
      headers,
      // A view, not a copy; never backed by a SharedArrayBuffer here, which is all the DOM typing guards against.
      body: source.bytes.subarray(range.start, range.end) as Uint8Array<ArrayBuffer>,
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
  } catch (error) {
    throw Object.assign(new StoreUnreachableError(`the store could not be reached: ${(error as Error).message}`), { cause: error });
  }
  if (!response.ok) throw PresignedRequestError.fromResponse(response.status, await response.text());
  await response.arrayBuffer();
  onProgress(range.end - range.start);
  return response.headers.get('etag') ?? '';
}
