import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { STORAGE_LIMITS } from '@trackbase/contracts';
import { ArtifactVersionsService } from '../../artifacts/artifact-versions.service';
import type { RequestContext } from '../../common/context/request-context';
import { RunFilesService } from '../../files/run-files.service';
import { objectKeys } from '../../storage/object-keys';
import { StagingService, type StagedContent } from '../../storage/staging.service';
import { STORAGE_DRIVER, type StorageDriver } from '../../storage/storage-driver';
import { UploadsService } from '../../storage/uploads.service';
import { wandbBadRequest } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { contentTypeOf } from '../../storage/content-type';
import { UploadGrants, type UploadGrant } from './upload-grants';
import { WandbMediaService } from '../file-stream/wandb-media.service';

/** Largest W&B manifest the layer takes (it is parsed whole). */
export const WANDB_MANIFEST_LIMIT = 256 * 1024 * 1024;

export interface ReceivedBody {
  bytes: Buffer;
  sha256: string;
  md5: string;
}

/** Bytes streamed to a staging key: their size, SHA-256 and MD5 (base64, as W&B declares it). */
export interface StagedBody extends StagedContent {
  md5: string;
}

/**
 * The W&B client uploads through URLs it cannot add headers to, and tells
 * nothing of a file's SHA-256 beforehand, while Trackbase's store addresses
 * content by SHA-256. So the layer serves its own signed PUT URLs: the body is
 * streamed to a staging key of the store and hashed as it arrives (never held
 * in memory, whatever its size), then declared through the same upload
 * services as every other file and moved to its content key. A PUT repeated
 * with the same bytes finds the content stored and keeps nothing new.
 * Multipart uploads (W&B asks for them for files of 2 GiB or more) go to the
 * store's own multipart upload at a staging key: see `WandbMultipartService`.
 */
@Injectable()
export class WandbUploadsService {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly grants: UploadGrants,
    private readonly scope: WandbScope,
    private readonly runFiles: RunFilesService,
    private readonly uploads: UploadsService,
    private readonly staging: StagingService,
    private readonly versions: ArtifactVersionsService,
    private readonly repository: WandbRepository,
    private readonly media: WandbMediaService,
  ) {}

  /** Reads a small body whole (W&B's manifest), at most `limit` bytes. */
  async receive(stream: Readable, limit = WANDB_MANIFEST_LIMIT): Promise<ReceivedBody> {
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw wandbBadRequest(`this upload may hold at most ${limit} bytes`);
      sha.update(chunk);
      md5.update(chunk);
      chunks.push(chunk);
    }
    return { bytes: Buffer.concat(chunks), sha256: sha.digest('hex'), md5: md5.digest('base64') };
  }

  /** Stores one PUT for the grant in `token`; the ETag (hex MD5) is answered like S3 does. */
  async put(token: string, caller: Omit<WandbCaller, 'principal'>, stream: Readable): Promise<string> {
    const grant = this.grants.verify(token);
    const who = this.callerOf(grant, caller);
    if (grant.v && grant.manifest) {
      // W&B's manifest describes the files by MD5 and size: kept beside the version for downloads.
      const body = await this.receive(stream);
      const manifest = parseManifest(body.bytes);
      await this.scope.inProject(who, grant.e, grant.p, 'artifacts', (ctx) => this.repository.saveManifest(ctx, grant.v!, manifest));
      return Buffer.from(body.md5, 'base64').toString('hex');
    }
    if (!grant.r && !(grant.v && grant.a)) throw wandbBadRequest('this upload URL names nothing to store into');
    // The role is checked, and the staging key scheduled for clean-up, before a byte is read.
    const key = await this.scope.inProject(who, grant.e, grant.p, 'artifacts', (ctx) => this.stagingKey(ctx, grant));
    try {
      const body = await this.stage(key, stream, contentTypeOf(grant.path));
      if (grant.md5 && grant.md5 !== body.md5) throw wandbBadRequest(`${grant.path}: the bytes do not match the MD5 declared for them`);
      await this.adopt(who, grant, key, body);
      return Buffer.from(body.md5, 'base64').toString('hex');
    } catch (error) {
      await this.staging.discard(key);
      throw error;
    }
  }

  callerOf(grant: UploadGrant, caller: Omit<WandbCaller, 'principal'>): WandbCaller {
    return { ...caller, principal: { userId: grant.u, kind: grant.k, via: 'api_key' } };
  }

  /** A fresh staging key for the grant's file (its run's, or its project's for an artifact file), scheduled for clean-up. */
  async stagingKey(ctx: RequestContext, grant: UploadGrant): Promise<string> {
    const key = this.newStagingKey(ctx, grant);
    await this.staging.schedule(ctx, key);
    return key;
  }

  /** A fresh staging key, not scheduled yet (a multipart upload schedules it with the store's upload id). */
  newStagingKey(ctx: RequestContext, grant: UploadGrant): string {
    const owner = grant.r
      ? objectKeys.run(ctx.organization.id, ctx.currentProject.id, grant.r)
      : objectKeys.project(ctx.organization.id, ctx.currentProject.id);
    return objectKeys.staging(owner, randomUUID());
  }

  /** Streams a body to `key`, hashing it (SHA-256 and MD5) on the way. */
  async stage(key: string, body: Readable, contentType: string): Promise<StagedBody> {
    const md5 = createHash('md5');
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    pipeline(body, tap).catch(() => undefined);
    const content = await this.staging.write(key, tap, contentType, STORAGE_LIMITS.maxFileBytes);
    return { ...content, md5: md5.digest('base64') };
  }

  /** Reads staged bytes back for their size, SHA-256 and MD5 (the parts of a multipart upload arrive unhashed). */
  async digest(key: string): Promise<StagedBody> {
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    for await (const chunk of await this.driver.read(key)) {
      size += (chunk as Buffer).length;
      sha.update(chunk as Buffer);
      md5.update(chunk as Buffer);
    }
    return { size, sha256: sha.digest('hex'), md5: md5.digest('base64') };
  }

  /**
   * Makes the staged bytes the run file or artifact file of the grant, in one transaction: the file
   * is declared as any upload (quota, content addressing), the bytes move to the content key when
   * the content is new (else they go), and the object is available.
   */
  async adopt(who: WandbCaller, grant: UploadGrant, key: string, body: StagedBody): Promise<void> {
    const file = { path: grant.path, size: body.size, sha256: body.sha256, contentType: contentTypeOf(grant.path) };
    await this.scope.inProject(who, grant.e, grant.p, 'artifacts', async (ctx) => {
      if (grant.r) {
        // A file under media/ may be what history rows wait for (wandb.Image, wandb.Table…): the run's W&B
        // state row is locked first, as file_stream does, so the row and the file cannot miss each other.
        const state = grant.path.startsWith('media/') ? await this.repository.lockState(ctx, grant.r) : null;
        const declared = await this.runFiles.declare(ctx, grant.r, [file]);
        await this.place(ctx, key, declared.files[0]?.upload?.uploadId);
        this.uploads.announceRunFiles(ctx, grant.r);
        if (state) await this.media.fileArrived(ctx, grant.r, grant.path, Number(state.batch_seq));
      } else {
        const declared = await this.versions.addFiles(ctx, grant.a!, grant.v!, [file]);
        await this.place(ctx, key, declared.files[0]?.upload?.uploadId);
      }
    });
  }

  private async place(ctx: RequestContext, key: string, uploadId: string | undefined): Promise<void> {
    if (!uploadId) {
      await this.staging.discard(key);
      return;
    }
    const object = await this.uploads.find(ctx, uploadId, { lock: true });
    await this.staging.place(key, object);
    if (object.state === 'pending') await this.staging.finish(ctx, key, object);
  }
}

/** W&B's manifest: a JSON object whose `contents` map paths to entries. */
function parseManifest(bytes: Buffer): object {
  let manifest: unknown;
  try {
    manifest = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw wandbBadRequest('the artifact manifest is not JSON');
  }
  const contents = (manifest as { contents?: unknown } | null)?.contents;
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest) || !contents || typeof contents !== 'object') {
    throw wandbBadRequest('the artifact manifest must be an object with contents');
  }
  return manifest;
}
