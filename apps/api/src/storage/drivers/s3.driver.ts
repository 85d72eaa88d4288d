import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { notFound } from '../../common/errors/app-error';
import type { CompletedPart, ObjectHead, PresignedRequest, PresignGetOptions, PresignOptions, StorageDriver } from '../storage-driver';
import { attachmentDisposition } from './content-disposition';

export interface S3DriverOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  /** The endpoint clients reach, when it differs from the API's (a container network, a proxy). */
  publicEndpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/** Parts of a body the API streams to S3 itself: above S3's 5 MiB minimum, small enough to hold one. */
const STREAM_PART_BYTES = 16 * 1024 * 1024;
/** S3's limit on one CopyObject. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

/** The body cut into buffers of exactly `size` bytes (the last one shorter). */
async function* partsOf(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  let yielded = false;
  for await (const chunk of body) {
    let buffer = chunk as Buffer;
    while (length + buffer.length >= size) {
      const take = size - length;
      pending.push(buffer.subarray(0, take));
      yield Buffer.concat(pending);
      yielded = true;
      buffer = buffer.subarray(take);
      pending = [];
      length = 0;
    }
    if (buffer.length) {
      pending.push(buffer);
      length += buffer.length;
    }
  }
  if (length > 0 || !yielded) yield Buffer.concat(pending);
}

/** S3's limit on keys per DeleteObjects call. */
const DELETE_BATCH = 1000;

/** Errors that mean "the upload is already gone" or "this store cannot abort" (s3rver, some S3 clones). */
const ABORT_TOLERATED = new Set(['NoSuchUpload', 'NotImplemented', 'MethodNotAllowed']);

export class S3StorageDriver implements StorageDriver {
  readonly name = 's3' as const;
  private readonly client: S3Client;
  /** Signs URLs for the address clients use; it never sends a request. */
  private readonly signer: S3Client;
  private readonly bucket: string;

  constructor(options: S3DriverOptions) {
    this.bucket = options.bucket;
    this.client = s3Client(options, options.endpoint);
    this.signer = options.publicEndpoint ? s3Client(options, options.publicEndpoint) : this.client;
  }

  async presignPut(key: string, options: PresignOptions & { contentType: string; contentMd5?: string }): Promise<PresignedRequest> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ContentType: options.contentType,
      ContentMD5: options.contentMd5,
    });
    const headers: Record<string, string> = { 'Content-Type': options.contentType };
    if (options.contentMd5) headers['Content-MD5'] = options.contentMd5;
    return { url: await getSignedUrl(this.signer, command, signing(options)), headers };
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: options.downloadName === undefined ? undefined : attachmentDisposition(options.downloadName),
      ResponseContentType: options.contentType,
      ResponseCacheControl: options.cacheControl,
    });
    return getSignedUrl(this.signer, command, signing(options));
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    const result = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }));
    if (!result.UploadId) throw new Error(`S3 returned no upload id for ${key}`);
    return result.UploadId;
  }

  async presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    options: PresignOptions & { contentMd5?: string },
  ): Promise<PresignedRequest> {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentMD5: options.contentMd5,
    });
    const headers: Record<string, string> = options.contentMd5 ? { 'Content-MD5': options.contentMd5 } : {};
    return { url: await getSignedUrl(this.signer, command, signing(options)), headers };
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: ordered.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag.replace(/"/g, '')}"` })) },
      }),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (!(error instanceof S3ServiceException && ABORT_TOLERATED.has(error.name))) throw error;
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: result.ContentLength ?? 0, contentType: result.ContentType };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range && `bytes=${range.start}-${range.end}` }),
      );
      // In Node the SDK's body is an IncomingMessage with helpers mixed in.
      return result.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw notFound('object');
      throw error;
    }
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    const contentMd5 = createHash('md5').update(body).digest('base64');
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentMD5: contentMd5 }),
    );
  }

  /**
   * A body that fits in one part is one PUT; a longer one becomes a multipart upload of
   * STREAM_PART_BYTES parts, sent as they fill (aborted if the body fails), so at most one part is held.
   */
  async writeStream(key: string, body: Readable, contentType: string): Promise<number> {
    const parts = partsOf(body, STREAM_PART_BYTES);
    const first = await parts.next();
    const head = first.done ? Buffer.alloc(0) : first.value;
    if (head.length < STREAM_PART_BYTES) {
      await this.write(key, head, contentType);
      return head.length;
    }
    const uploadId = await this.createMultipart(key, contentType);
    try {
      const done: CompletedPart[] = [];
      let size = 0;
      for (let part: Buffer | undefined = head; part;) {
        const contentMd5 = createHash('md5').update(part).digest('base64');
        const result = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: done.length + 1,
            Body: part,
            ContentMD5: contentMd5,
          }),
        );
        done.push({ partNumber: done.length + 1, etag: result.ETag ?? '' });
        size += part.length;
        const next = await parts.next();
        part = next.done ? undefined : next.value;
      }
      await this.completeMultipart(key, uploadId, done);
      return size;
    } catch (error) {
      await this.abortMultipart(key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  /** A server-side copy up to S3's 5 GiB limit on one, streamed through the API beyond it; then the source is deleted. */
  async move(from: string, to: string): Promise<void> {
    const head = await this.head(from);
    if (!head) throw notFound('object');
    if (head.size <= MAX_COPY_BYTES) {
      const source = `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source }));
    } else {
      await this.writeStream(to, await this.read(from), head.contentType ?? 'application/octet-stream');
    }
    await this.delete([from]);
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      // DeleteObjects answers 200 even when some keys failed; they are listed in Errors.
      const failed = result.Errors ?? [];
      if (failed.length) throw new Error(`S3 could not delete ${failed.length} object(s), first ${failed[0].Key}: ${failed[0].Code}`);
    }
  }

  async freeBytes(): Promise<number | undefined> {
    return undefined; // an S3 store does not say; a 507 from it is mapped to storage_full instead
  }

  async deletePrefix(prefix: string): Promise<number> {
    // An empty prefix would empty the bucket; a prefix without `/` would also match its siblings (`run-1` and `run-10`).
    if (!prefix.endsWith('/') || prefix === '/') throw new Error(`refusing to delete prefix ${JSON.stringify(prefix)}`);
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      await this.delete(keys);
      deleted += keys.length;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  /** Releases the clients' sockets. */
  destroy(): void {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}

function s3Client(options: S3DriverOptions, endpoint: string | undefined): S3Client {
  return new S3Client({
    region: options.region,
    endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials:
      options.accessKeyId && options.secretAccessKey
        ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
        : undefined,
    // By default the SDK adds a CRC32 checksum to every upload it can, and a
    // presigned URL then carries the checksum of an empty body, which the
    // store rejects for the real one. We rely on Content-MD5 instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** HEAD answers a bare 404 (`NotFound`), GET an XML `NoSuchKey`; a missing bucket (also 404) is not "no object". */
/** The presigner leaves Content-Type unsigned by default; signing it makes the store refuse any other type. */
function signing(options: PresignOptions) {
  return { expiresIn: options.expiresIn, signingDate: options.signedAt, signableHeaders: new Set(['content-type', 'content-md5']) };
}

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NotFound' || error.name === 'NoSuchKey');
}
