import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { ArtifactVersionsService } from '../../artifacts/artifact-versions.service';
import type { RequestContext } from '../../common/context/request-context';
import { RunFilesService } from '../../files/run-files.service';
import { STORAGE_DRIVER, type StorageDriver } from '../../storage/storage-driver';
import { UploadCompletionService } from '../../storage/upload-completion.service';
import { isMultipart } from '../../storage/stored-object';
import { UploadsService } from '../../storage/uploads.service';
import { wandbBadRequest } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { contentTypeOf } from '../../storage/content-type';
import { UploadGrants, type UploadGrant } from './upload-grants';
import { WandbMediaService } from '../file-stream/wandb-media.service';

/** Largest single PUT the W&B layer takes (it holds the body in memory to hash it). */
export const WANDB_UPLOAD_LIMIT = 512 * 1024 * 1024;

export interface ReceivedBody {
  bytes: Buffer;
  sha256: string;
  md5: string;
}

/**
 * The W&B client uploads through URLs it cannot add headers to, and tells
 * nothing of a file's SHA-256 beforehand, while Trackbase's store addresses
 * content by SHA-256. So the layer serves its own signed PUT URLs: the body is
 * hashed as it arrives, then declared, written and verified through the same
 * upload services as every other file. A PUT repeated with the same bytes
 * finds the content stored and writes nothing.
 */
@Injectable()
export class WandbUploadsService {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly grants: UploadGrants,
    private readonly scope: WandbScope,
    private readonly runFiles: RunFilesService,
    private readonly uploads: UploadsService,
    private readonly completion: UploadCompletionService,
    private readonly versions: ArtifactVersionsService,
    private readonly repository: WandbRepository,
    private readonly media: WandbMediaService,
  ) {}

  async receive(stream: Readable): Promise<ReceivedBody> {
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > WANDB_UPLOAD_LIMIT) throw wandbBadRequest(`a single upload may hold at most ${WANDB_UPLOAD_LIMIT} bytes`);
      sha.update(chunk);
      md5.update(chunk);
      chunks.push(chunk);
    }
    return { bytes: Buffer.concat(chunks), sha256: sha.digest('hex'), md5: md5.digest('base64') };
  }

  /** Stores one PUT for the grant in `token`; the ETag (hex MD5) is answered like S3 does. */
  async put(token: string, caller: Omit<WandbCaller, 'principal'>, stream: Readable): Promise<string> {
    const grant = this.grants.verify(token);
    const body = await this.receive(stream);
    if (grant.md5 && grant.md5 !== body.md5) throw wandbBadRequest(`${grant.path}: the bytes do not match the MD5 declared for them`);
    const who: WandbCaller = { ...caller, principal: { userId: grant.u, kind: grant.k, via: 'api_key' } };
    if (grant.r) {
      await this.scope.inProject(who, grant.e, grant.p, 'artifacts', (ctx) => this.storeRunFile(ctx, grant, body));
    } else if (grant.v && grant.manifest) {
      // W&B's manifest describes the files by MD5 and size: kept beside the version for downloads.
      const manifest = parseManifest(body.bytes);
      await this.scope.inProject(who, grant.e, grant.p, 'artifacts', (ctx) => this.repository.saveManifest(ctx, grant.v!, manifest));
    } else if (grant.v && grant.a) {
      await this.scope.inProject(who, grant.e, grant.p, 'artifacts', async (ctx) => {
        const declared = await this.versions.addFiles(ctx, grant.a!, grant.v!, [
          { path: grant.path, size: body.bytes.length, sha256: body.sha256, contentType: contentTypeOf(grant.path) },
        ]);
        await this.write(ctx, declared.files[0]?.upload?.uploadId, body);
      });
    } else {
      throw wandbBadRequest('this upload URL names nothing to store into');
    }
    return Buffer.from(body.md5, 'base64').toString('hex');
  }

  private async storeRunFile(ctx: RequestContext, grant: UploadGrant, body: ReceivedBody): Promise<void> {
    // A file under media/ may be what history rows wait for (wandb.Image, wandb.Table): the run's W&B
    // state row is locked first, as file_stream does, so the row and the file cannot miss each other.
    const state = grant.path.startsWith('media/') ? await this.repository.lockState(ctx, grant.r!) : null;
    const declared = await this.runFiles.declare(ctx, grant.r!, [
      { path: grant.path, size: body.bytes.length, sha256: body.sha256, contentType: contentTypeOf(grant.path) },
    ]);
    await this.write(ctx, declared.files[0]?.upload?.uploadId, body);
    if (state) await this.media.fileArrived(ctx, grant.r!, grant.path, Number(state.batch_seq));
  }

  /** Writes and verifies the bytes of a pending upload; nothing when the content was already stored. */
  async write(ctx: RequestContext, uploadId: string | undefined, body: ReceivedBody): Promise<void> {
    if (!uploadId) return;
    const object = await this.uploads.find(ctx, uploadId);
    if (isMultipart(object)) await this.writeParts(ctx, uploadId, Number(object.part_size), body.bytes);
    else await this.driver.write(object.key, body.bytes, object.content_type);
    await this.completion.complete(ctx, uploadId);
  }

  /**
   * A body larger than one part: sent part by part through the same signed
   * part URLs a client gets (the store checks each part's MD5), then reported.
   */
  private async writeParts(ctx: RequestContext, uploadId: string, partSize: number, bytes: Buffer): Promise<void> {
    const parts = Array.from({ length: Math.ceil(bytes.length / partSize) }, (_, i) => {
      const slice = bytes.subarray(i * partSize, Math.min(bytes.length, (i + 1) * partSize));
      return { partNumber: i + 1, slice, md5: createHash('md5').update(slice).digest('base64') };
    });
    const { parts: urls } = await this.uploads.partUrls(
      ctx,
      uploadId,
      parts.map((p) => ({ partNumber: p.partNumber, md5: p.md5 })),
    );
    for (const part of parts) {
      const signed = urls.find((u) => u.partNumber === part.partNumber)!;
      const response = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: new Uint8Array(part.slice) });
      if (!response.ok) throw new Error(`storing part ${part.partNumber} failed with HTTP ${response.status}`);
      const etag = response.headers.get('etag') ?? '';
      await this.uploads.reportPart(ctx, uploadId, { partNumber: part.partNumber, etag, md5: part.md5, size: part.slice.length });
    }
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
