import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CommonErrorCode, paths, StorageErrorCode } from '@trackbase/contracts';
import { z } from 'zod';
import { AppError, badRequest, notFound } from '../../common/errors/app-error';
import { TokenSigner } from '../signed-token';
import type { CompletedPart, ObjectHead, PresignedRequest, PresignGetOptions, PresignOptions, StorageDriver } from '../storage-driver';
import { attachmentDisposition } from './content-disposition';

export interface LocalDriverOptions {
  root: string;
  /** HMAC key for URL tokens; derive it from JWT_SECRET with a label of its own. */
  secret: Buffer | string;
}

const grantSchema = z.object({
  op: z.enum(['put', 'get', 'part']),
  key: z.string(),
  uploadId: z.string().optional(),
  partNumber: z.number().int().optional(),
  md5: z.string().optional(),
  contentType: z.string().optional(),
  downloadName: z.string().optional(),
  cacheControl: z.string().optional(),
  exp: z.number(),
});
export type LocalGrant = z.infer<typeof grantSchema>;

interface WriteChecks {
  expected?: { md5: string; code: string };
  createParents?: boolean;
  maxBytes?: number;
  /** false when nobody needs the MD5 (assembling parts already checked): it is the slowest step of a large write. */
  digest?: boolean;
}

export interface LocalObjectFile {
  path: string;
  contentType: string;
  contentDisposition?: string;
  cacheControl?: string;
}

/** S3's own limit on one PUT (object or part); it also bounds what one leaked URL can write. */
const MAX_PUT_BYTES = 5 * 1024 ** 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const invalidSignature = (message: string) => new AppError(403, StorageErrorCode.InvalidSignature, message);
const noSuchUpload = () => notFound('upload');

/**
 * Objects on the API's own disk, for single-node installs and tests.
 *
 * Layout under `root`: objects at `<key>`, their content type at
 * `.meta/<key>`, multipart uploads at `.uploads/<uploadId>/<partNumber>`,
 * writes in progress in `.tmp/` (same filesystem, so the final rename is
 * atomic). Keys starting with `.` are refused, so no key reaches those.
 *
 * Presigned URLs point at the API itself (LocalObjectsController) and carry
 * an HMAC-signed grant naming the operation, key, part and checksum. They are
 * relative (`/api/v1/storage/objects/<token>`): the origin clients use is
 * known per request only, so callers make them absolute with `absoluteUrl`
 * (storage/absolute-url.ts), which leaves the S3 driver's absolute URLs alone.
 */
export class LocalDiskDriver implements StorageDriver {
  readonly name = 'local' as const;
  private readonly root: string;
  private readonly signer: TokenSigner;

  constructor(options: LocalDriverOptions) {
    this.root = resolve(options.root);
    this.signer = new TokenSigner(options.secret, 'local-storage-urls');
  }

  async presignPut(key: string, options: PresignOptions & { contentType: string; contentMd5?: string }): Promise<PresignedRequest> {
    this.objectPath(key);
    const headers: Record<string, string> = { 'Content-Type': options.contentType };
    if (options.contentMd5) headers['Content-MD5'] = options.contentMd5;
    const token = this.signer.sign({ op: 'put', key, md5: options.contentMd5, contentType: options.contentType }, options.expiresIn);
    return { url: paths.localObject(token), headers };
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<string> {
    this.objectPath(key);
    return paths.localObject(
      this.signer.sign(
        { op: 'get', key, downloadName: options.downloadName, contentType: options.contentType, cacheControl: options.cacheControl },
        options.expiresIn,
        options.signedAt,
      ),
    );
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    this.objectPath(key);
    const uploadId = randomUUID();
    const dir = this.uploadDir(uploadId);
    await this.inDirectory(dir, () => writeFile(join(dir, 'upload.json'), JSON.stringify({ key, contentType })));
    return uploadId;
  }

  async presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    options: PresignOptions & { contentMd5?: string },
  ): Promise<PresignedRequest> {
    this.objectPath(key);
    this.partPath(uploadId, partNumber);
    const token = this.signer.sign({ op: 'part', key, uploadId, partNumber, md5: options.contentMd5 }, options.expiresIn);
    return { url: paths.localObject(token), headers: options.contentMd5 ? { 'Content-MD5': options.contentMd5 } : {} };
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    const upload = await this.readUpload(uploadId, key);
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    if (!ordered.length || ordered.some((p, i) => i > 0 && p.partNumber === ordered[i - 1].partNumber)) {
      throw badRequest(StorageErrorCode.UploadIncomplete, 'parts must be listed once each, and at least one');
    }
    const partPaths = ordered.map((p) => this.partPath(uploadId, p.partNumber));
    // Each part's MD5 (recorded when it arrived) must equal the ETag the client reported, as S3 checks (InvalidPart).
    for (const [i, path] of partPaths.entries()) {
      const md5 = await readFile(`${path}.md5`, 'utf8').catch((error: unknown) => {
        if (isMissingFile(error)) throw badRequest(StorageErrorCode.UploadIncomplete, `part ${ordered[i]!.partNumber} was not uploaded`);
        throw error;
      });
      if (md5 !== ordered[i]!.etag.replace(/"/g, '')) {
        throw badRequest(StorageErrorCode.PartChecksumMismatch, `part ${ordered[i]!.partNumber} does not match its ETag`);
      }
    }
    async function* concatenated() {
      for (const path of partPaths) yield* createReadStream(path);
    }
    await this.writeAtomic(Readable.from(concatenated()), this.objectPath(key), { digest: false });
    await this.writeMeta(key, upload.contentType);
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    const upload = await this.readUpload(uploadId, key).catch((error: unknown) => {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    });
    if (upload) await rm(this.uploadDir(uploadId), { recursive: true, force: true });
  }

  async head(key: string): Promise<ObjectHead | null> {
    const path = this.objectPath(key);
    const info = await stat(path).catch((error: unknown) => (isMissingFile(error) ? null : Promise.reject(error)));
    if (!info?.isFile()) return null;
    // The content type is informational: a missing or torn metadata file must not hide the object.
    const meta = await readFile(this.metaPath(key), 'utf8')
      .then((raw) => JSON.parse(raw) as { contentType?: string })
      .catch(() => ({ contentType: undefined }));
    return { size: info.size, contentType: meta.contentType };
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    if (!(await this.head(key))) throw notFound('object');
    return createReadStream(this.objectPath(key), range);
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.writeAtomic(Readable.from([body]), this.objectPath(key));
    await this.writeMeta(key, contentType);
  }

  async writeStream(key: string, body: Readable, contentType: string): Promise<number> {
    const { size } = await this.writeAtomic(body, this.objectPath(key), { digest: false });
    await this.writeMeta(key, contentType);
    return size;
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.objectPath(from);
    const target = this.objectPath(to);
    if (!(await this.head(from))) throw notFound('object');
    const meta = await readFile(this.metaPath(from), 'utf8').catch(() => JSON.stringify({}));
    await this.place(source, target, true);
    await this.inDirectory(dirname(this.metaPath(to)), () => writeFile(this.metaPath(to), meta));
    await rm(this.metaPath(from), { force: true });
    await this.pruneEmptyParents(source);
    await this.pruneEmptyParents(this.metaPath(from));
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      for (const path of [this.objectPath(key), this.metaPath(key)]) {
        await rm(path, { force: true });
        await this.pruneEmptyParents(path);
      }
    }
  }

  async freeBytes(): Promise<number | undefined> {
    await mkdir(this.root, { recursive: true });
    const fs = await statfs(this.root);
    return fs.bavail * fs.bsize;
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (!prefix.endsWith('/')) throw new Error(`refusing to delete prefix ${JSON.stringify(prefix)}`);
    const dir = this.objectPath(prefix.slice(0, -1));
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: unknown) =>
      isMissingFile(error) ? [] : Promise.reject(error),
    );
    const count = entries.filter((e) => e.isFile()).length;
    for (const path of [dir, this.metaPath(prefix.slice(0, -1))]) {
      await rm(path, { recursive: true, force: true });
      await this.pruneEmptyParents(path);
    }
    return count;
  }

  /** Checks a token from a URL: signature first, then expiry. */
  verify(token: string): LocalGrant {
    return grantSchema.parse(this.signer.verify(token));
  }

  /**
   * Stores a PUT body for a `put` or `part` grant and returns its hex MD5
   * (the ETag). The client must send the signed headers as given, and the
   * body must match the MD5 it declared; otherwise nothing is kept.
   */
  async receive(grant: LocalGrant, body: Readable, headers: { contentType?: string; contentMd5?: string }): Promise<string> {
    if (grant.op === 'get') throw invalidSignature('this URL is for downloads only');
    if (grant.md5 !== undefined && headers.contentMd5 !== grant.md5) throw invalidSignature('Content-MD5 must be sent as signed');
    if (grant.op === 'put' && grant.contentType !== undefined && headers.contentType !== grant.contentType) {
      throw invalidSignature('Content-Type must be sent as signed');
    }
    // Like S3, an unsigned Content-MD5 is still checked.
    const md5 = grant.md5 ?? headers.contentMd5;
    if (grant.op === 'put') {
      const expected = md5 === undefined ? undefined : { md5, code: StorageErrorCode.ChecksumMismatch };
      const { etag } = await this.writeAtomic(body, this.objectPath(grant.key), { expected, maxBytes: MAX_PUT_BYTES });
      await this.writeMeta(grant.key, grant.contentType ?? headers.contentType);
      return etag;
    }
    const uploadId = grant.uploadId ?? '';
    await this.readUpload(uploadId, grant.key);
    const expected = md5 === undefined ? undefined : { md5, code: StorageErrorCode.PartChecksumMismatch };
    const partPath = this.partPath(uploadId, grant.partNumber ?? 0);
    const { etag } = await this.writeAtomic(body, partPath, { expected, maxBytes: MAX_PUT_BYTES, createParents: false });
    // Kept beside the part so completion compares ETags without reading every part again.
    await writeFile(`${partPath}.md5`, etag);
    return etag;
  }

  /** Resolves a `get` grant to the file to send and the headers it is sent with. */
  async locate(grant: LocalGrant): Promise<LocalObjectFile> {
    if (grant.op !== 'get') throw invalidSignature('this URL is for uploads only');
    const head = await this.head(grant.key);
    if (!head) throw notFound('object');
    return {
      path: this.objectPath(grant.key),
      contentType: grant.contentType ?? head.contentType ?? 'application/octet-stream',
      contentDisposition: grant.downloadName === undefined ? undefined : attachmentDisposition(grant.downloadName),
      cacheControl: grant.cacheControl,
    };
  }

  /**
   * Streams `body` to a temporary file, checking size and MD5, then renames
   * it into place. With `createParents` false the target's directory must
   * already exist: a part must not land in an upload that was aborted meanwhile.
   */
  private async writeAtomic(body: Readable, target: string, checks: WriteChecks = {}): Promise<{ etag: string; size: number }> {
    const { expected, createParents = true, maxBytes = Infinity, digest: wantsDigest = true } = checks;
    const tmpDir = join(this.root, '.tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes)
          return callback(new AppError(413, StorageErrorCode.FileTooLarge, `one PUT may carry at most ${maxBytes} bytes`));
        if (wantsDigest) hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      // The request is piped through a pass-through so that a failed write (a full disk) destroys
      // only our side: the rest of the body is then read and dropped, and the client gets the answer
      // (507 storage_full) instead of a reset connection halfway through sending.
      const relay = new PassThrough();
      // pipe() does not pass errors on: a body that fails (a refused size upstream, a dropped client) must end the write.
      body.once('error', (error) => relay.destroy(error));
      body.pipe(relay);
      try {
        await pipeline(relay, measure, createWriteStream(tmp, { flags: 'wx' }));
      } catch (error) {
        body.unpipe(relay);
        await drainAtMost(body, Number.isFinite(maxBytes) ? maxBytes : DRAIN_LIMIT);
        throw error;
      }
      const digest = wantsDigest ? hash.digest() : null;
      if (expected && digest?.toString('base64') !== expected.md5) {
        throw badRequest(expected.code, 'the body does not match its Content-MD5');
      }
      await this.place(tmp, target, createParents);
      return { etag: digest?.toString('hex') ?? '', size };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /** Renames into place (creating the target's directories when asked). */
  private async place(tmp: string, target: string, createParents: boolean): Promise<void> {
    if (!createParents) {
      try {
        return await rename(tmp, target);
      } catch (error) {
        throw isMissingFile(error) ? noSuchUpload() : error;
      }
    }
    await this.inDirectory(dirname(target), () => rename(tmp, target));
  }

  private async writeMeta(key: string, contentType: string | undefined): Promise<void> {
    const path = this.metaPath(key);
    await this.inDirectory(dirname(path), () => writeFile(path, JSON.stringify({ contentType })));
  }

  /**
   * Creates `dir` and writes into it. Retried, because a concurrent move or delete prunes the
   * directories it leaves empty, and may remove one of ours between the mkdir (or while a
   * recursive mkdir walks down) and the write: both then fail with ENOENT.
   */
  private async inDirectory(dir: string, write: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(dir, { recursive: true });
        return await write();
      } catch (error) {
        if (!isMissingFile(error) || attempt >= 8) throw error;
      }
    }
  }

  private async readUpload(uploadId: string, key: string): Promise<{ key: string; contentType: string }> {
    const raw = await readFile(join(this.uploadDir(uploadId), 'upload.json'), 'utf8').catch((error: unknown) =>
      isMissingFile(error) ? null : Promise.reject(error),
    );
    const upload = raw ? (JSON.parse(raw) as { key: string; contentType: string }) : null;
    if (!upload || upload.key !== key) throw noSuchUpload();
    return upload;
  }

  /** Removes directories left empty, up to (not including) the tree they belong to. */
  private async pruneEmptyParents(path: string): Promise<void> {
    const stops = new Set([this.root, join(this.root, '.meta')]);
    for (let dir = dirname(path); dir.startsWith(this.root + sep) && !stops.has(dir); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
    }
  }

  private objectPath(key: string): string {
    return this.inside(this.root, key);
  }

  private metaPath(key: string): string {
    return this.inside(join(this.root, '.meta'), key);
  }

  private uploadDir(uploadId: string): string {
    if (!UUID.test(uploadId)) throw noSuchUpload();
    return join(this.root, '.uploads', uploadId);
  }

  private partPath(uploadId: string, partNumber: number): string {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw badRequest(CommonErrorCode.ValidationFailed, 'part numbers run from 1 to 10000');
    }
    return join(this.uploadDir(uploadId), String(partNumber));
  }

  /**
   * Keys arrive normalised, but a bug upstream must not become a write
   * outside the store: dot segments, empty segments, backslashes and NULs
   * are refused, and so is any path that resolves outside `base`.
   */
  private inside(base: string, key: string): string {
    const segments = key.split('/');
    const path = resolve(base, key);
    if (
      key.startsWith('.') ||
      /[\\\0]/.test(key) ||
      segments.some((s) => s === '' || s === '.' || s === '..') ||
      !path.startsWith(base + sep)
    ) {
      throw badRequest(StorageErrorCode.InvalidPath, 'storage key is not a safe relative path');
    }
    return path;
  }
}

function isMissingFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The most a failed write reads and drops of a body whose size is not otherwise bounded. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads and drops what is left of a request body, so an error answer reaches the client; a body
 * longer than `limit` is cut off instead (an oversized or endless one).
 */
async function drainAtMost(body: Readable, limit: number): Promise<void> {
  if (body.readableEnded || body.destroyed) return;
  await new Promise<void>((resolve) => {
    let drained = 0;
    body.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > limit) {
        body.destroy();
        resolve();
      }
    });
    body.once('end', resolve);
    body.once('close', resolve);
    body.once('error', () => resolve());
    body.resume();
  });
}
