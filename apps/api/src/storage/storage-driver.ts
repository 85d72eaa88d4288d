import type { Readable } from 'node:stream';

/** A URL a client uses directly, with the headers it must send (they are signed). */
export interface PresignedRequest {
  url: string;
  headers: Record<string, string>;
}

export interface PresignOptions {
  /** Seconds until the URL stops working (counted from `signedAt` when given). */
  expiresIn: number;
  /**
   * Sign as of this instant instead of now. With the same instant (a time bucket, `stableSigning`)
   * the same object gets the same URL, so browsers reuse what they downloaded.
   */
  signedAt?: Date;
}

/** Options of a GET URL. */
export interface PresignGetOptions extends PresignOptions {
  /** Sets Content-Disposition so browsers save it under that name. */
  downloadName?: string;
  contentType?: string;
  /** The Cache-Control the object is served with (content-addressed objects never change). */
  cacheControl?: string;
}

export interface ObjectHead {
  size: number;
  contentType: string | undefined;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/**
 * Where file contents live. Keys are produced by `object-keys.ts` only (they
 * begin with the organization id, are normalised and never escape it); a
 * driver stores them as given. Clients move the bytes through presigned URLs;
 * the API itself reads only small ranges (previews) and whole objects when
 * verifying an upload's SHA-256 or assembling an archive.
 */
export interface StorageDriver {
  readonly name: 'local' | 's3';

  /** URL for one PUT of a whole object; `contentMd5` (base64), when given, is enforced by the store. */
  presignPut(key: string, options: PresignOptions & { contentType: string; contentMd5?: string }): Promise<PresignedRequest>;
  /** URL for a GET of the object; `downloadName` sets Content-Disposition so browsers save it under that name. */
  presignGet(key: string, options: PresignGetOptions): Promise<string>;

  /** Starts a multipart upload and returns the store's upload id. */
  createMultipart(key: string, contentType: string): Promise<string>;
  /**
   * URL for one part's PUT; the store answers with the part's ETag (the hex MD5 of its bytes).
   * Without `contentMd5` (a client that does not say what it sends, as MLflow's) the part is
   * checked later, when the assembled object's SHA-256 is computed.
   */
  presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    options: PresignOptions & { contentMd5?: string },
  ): Promise<PresignedRequest>;
  completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void>;
  /** Discards stored parts; succeeds when the upload is already gone. */
  abortMultipart(key: string, uploadId: string): Promise<void>;

  /** null when there is no such object. */
  head(key: string): Promise<ObjectHead | null>;
  /** Reads the object, or bytes [start, end] inclusive of it. */
  read(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Writes a small object from the server itself (tests, archives of references). */
  write(key: string, body: Buffer, contentType: string): Promise<void>;
  /**
   * Streams an object of any size from the server itself (a body proxied for a client), holding at
   * most one part in memory; the object appears whole or not at all. Returns the bytes written.
   */
  writeStream(key: string, body: Readable, contentType: string): Promise<number>;
  /** Moves an object (content type included) to another key, replacing what is there; `from` is gone afterwards. */
  move(from: string, to: string): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (which ends with `/`); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Bytes the store can still take, where it can tell (a local disk); undefined where it cannot (S3). */
  freeBytes(): Promise<number | undefined>;
}

export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');
