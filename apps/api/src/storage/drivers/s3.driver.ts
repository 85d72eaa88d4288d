import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
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
import type { CompletedPart, ObjectHead, PresignedRequest, PresignOptions, StorageDriver } from '../storage-driver';
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

  async presignGet(key: string, options: PresignOptions & { downloadName?: string; contentType?: string }): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: options.downloadName === undefined ? undefined : attachmentDisposition(options.downloadName),
      ResponseContentType: options.contentType,
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
    options: PresignOptions & { contentMd5: string },
  ): Promise<PresignedRequest> {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentMD5: options.contentMd5,
    });
    return { url: await getSignedUrl(this.signer, command, signing(options)), headers: { 'Content-MD5': options.contentMd5 } };
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
  return { expiresIn: options.expiresIn, signableHeaders: new Set(['content-type', 'content-md5']) };
}

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NotFound' || error.name === 'NoSuchKey');
}
