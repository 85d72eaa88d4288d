import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  FileDeclaration,
  FileUploadResult,
  PartUrlsResponse,
  ReportPartRequest,
  StoredFile,
  UploadPlan,
  UploadStatus,
} from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { absoluteUrl } from './absolute-url';
import { objectKeys } from './object-keys';
import { QuotaService } from './quota.service';
import { StorageRepository } from './storage.repository';
import { checksumMismatch, partChecksumMismatch, uploadNotPending } from './storage.errors';
import { expectedPartSize, isMultipart, partLayout, type ObjectOwner, type StoredObjectRow } from './stored-object';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';
import { StorageEvents } from './storage-events';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export function toStoredFile(path: string, o: StoredObjectRow, createdAt: Date = o.created_at): StoredFile {
  return { path, size: Number(o.size), sha256: o.sha256, contentType: o.content_type, state: o.state, createdAt: createdAt.toISOString() };
}

/**
 * The one way bytes enter the store. Callers (run files, artifact versions)
 * declare files for an owner; this service finds or creates the content
 * objects, reserves quota for new ones, and drives each upload to a verified,
 * available object. The upload id a client sees is the object's id.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger('UploadsService');

  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly quota: QuotaService,
    private readonly events: StorageEvents,
    private readonly repository: StorageRepository,
  ) {}

  /** Content objects for `files` (paths already normalised), in the same order, created where missing. */
  async declare(ctx: RequestContext, owner: ObjectOwner, files: Array<FileDeclaration & { path: string }>): Promise<StoredObjectRow[]> {
    const prefix = owner.runId
      ? objectKeys.run(ctx.organization.id, ctx.currentProject.id, owner.runId)
      : objectKeys.artifact(ctx.organization.id, ctx.currentProject.id, owner.artifactId!);
    const keys = files.map((f) => objectKeys.content(prefix, f.sha256));
    const existing = await this.repository.objectsByKeys(ctx, keys);
    const missing = new Map<string, FileDeclaration>();
    files.forEach((f, i) => {
      const found = existing.get(keys[i]!);
      if (found && Number(found.size) !== f.size) {
        throw checksumMismatch(`${f.path}: content with this SHA-256 is stored with another size`, [
          { path: `files.${i}.size`, message: 'size does not match the content of this SHA-256' },
        ]);
      }
      if (!found) missing.set(keys[i]!, f);
    });
    if (missing.size > 0) {
      await this.quota.reserve(
        ctx,
        [...missing.values()].reduce((sum, f) => sum + f.size, 0),
      );
      await this.repository.createPending(
        ctx,
        owner,
        [...missing.entries()].map(([key, f]) => {
          const layout = partLayout(f.size, this.config.UPLOAD_PART_SIZE);
          const contentType = f.contentType ?? DEFAULT_CONTENT_TYPE;
          return { key, sha256: f.sha256, size: f.size, contentType, partSize: layout.partSize, partCount: layout.partCount };
        }),
      );
      for (const [key, row] of await this.repository.objectsByKeys(ctx, [...missing.keys()])) existing.set(key, row);
    }
    const resumed = [...existing.values()].filter((o) => o.state === 'pending').map((o) => o.id);
    if (resumed.length > 0) await this.repository.touch(ctx, resumed);
    return keys.map((key) => existing.get(key)!);
  }

  /**
   * Stores bytes the server produced (a table's Parquet form) under `key`, counted
   * against the quota like an upload; an object already at that key is kept.
   */
  async storeServerObject(
    ctx: RequestContext,
    owner: ObjectOwner,
    key: string,
    body: Buffer,
    contentType: string,
  ): Promise<StoredObjectRow> {
    const existing = (await this.repository.objectsByKeys(ctx, [key])).get(key);
    if (existing?.state === 'available') return existing;
    await this.quota.reserve(ctx, body.length);
    await this.driver.write(key, body, contentType);
    const sha256 = createHash('sha256').update(body).digest('hex');
    return this.repository.createAvailable(ctx, owner, { key, sha256, size: body.length, contentType });
  }

  /** Reads a whole (small) object into memory. */
  async readObject(object: StoredObjectRow): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.driver.read(object.key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** The upload plan of a pending object (with the parts already stored), or nothing for an available one. */
  async result(ctx: RequestContext, path: string, object: StoredObjectRow, createdAt?: Date): Promise<FileUploadResult> {
    const file = toStoredFile(path, object, createdAt);
    if (object.state === 'available') return { file };
    return { file, upload: await this.plan(ctx, object) };
  }

  async status(ctx: RequestContext, uploadId: string): Promise<UploadStatus> {
    const object = await this.find(ctx, uploadId);
    return {
      uploadId: object.id,
      state: object.state,
      completedParts: await this.repository.completedParts(ctx, object.id),
      partCount: object.part_count,
    };
  }

  async partUrls(ctx: RequestContext, uploadId: string, parts: Array<{ partNumber: number; md5: string }>): Promise<PartUrlsResponse> {
    const object = await this.find(ctx, uploadId, { lock: true });
    if (object.state !== 'pending' || !this.isMultipart(object)) throw uploadNotPending();
    for (const part of parts) this.checkPartNumber(object, part.partNumber);
    let uploadIdInStore = object.multipart_upload_id;
    if (!uploadIdInStore) {
      // Started on first use, so a declaration that is never sent costs the store nothing.
      uploadIdInStore = await this.driver.createMultipart(object.key, object.content_type);
      await this.repository.setMultipartUploadId(ctx, object.id, uploadIdInStore);
    }
    await this.repository.touch(ctx, [object.id]);
    const expiresIn = this.config.STORAGE_URL_TTL_SECONDS;
    const signed = await Promise.all(
      parts.map(async (p) => {
        const request = await this.driver.presignPart(object.key, uploadIdInStore!, p.partNumber, { expiresIn, contentMd5: p.md5 });
        return { partNumber: p.partNumber, url: absoluteUrl(ctx.origin, request.url), headers: request.headers };
      }),
    );
    return { parts: signed, expiresAt: this.expiresAt() };
  }

  /**
   * Records a part the client has stored. The store's ETag is the MD5 of what
   * arrived; unless it is the MD5 the client computed of what it meant to
   * send, the part is refused and must be sent again.
   */
  async reportPart(ctx: RequestContext, uploadId: string, report: ReportPartRequest): Promise<UploadStatus> {
    const object = await this.find(ctx, uploadId);
    if (object.state !== 'pending' || !this.isMultipart(object) || !object.multipart_upload_id) throw uploadNotPending();
    this.checkPartNumber(object, report.partNumber);
    const expected = expectedPartSize(Number(object.size), Number(object.part_size), report.partNumber);
    if (report.size !== expected) {
      throw partChecksumMismatch(report.partNumber, `part ${report.partNumber} must be ${expected} bytes, not ${report.size}`);
    }
    const arrived = report.etag.replace(/"/g, '').toLowerCase();
    const meant = Buffer.from(report.md5, 'base64').toString('hex');
    if (arrived !== meant) {
      throw partChecksumMismatch(
        report.partNumber,
        `part ${report.partNumber} arrived corrupted (stored MD5 ${arrived}, sent MD5 ${meant}); send it again`,
      );
    }
    await this.repository.touch(ctx, [object.id]);
    await this.repository.recordPart(ctx, object.id, { partNumber: report.partNumber, etag: arrived, size: report.size });
    return this.status(ctx, uploadId);
  }

  /** Tells the run's followers, once committed, that its file listing changed. */
  announceRunFiles(ctx: RequestContext, runId: string): void {
    const event = { organizationId: ctx.organization.id, projectId: ctx.currentProject.id, runId };
    ctx.afterCommit(() => this.events.emit('runFiles', event));
  }

  async find(ctx: RequestContext, uploadId: string, options: { lock?: boolean } = {}): Promise<StoredObjectRow> {
    const row = await this.repository.objectOfProject(ctx, uploadId, options.lock ?? false);
    if (!row) throw notFound('upload');
    return row;
  }

  private async plan(ctx: RequestContext, object: StoredObjectRow): Promise<UploadPlan> {
    const base = {
      uploadId: object.id,
      size: Number(object.size),
      partSize: Number(object.part_size),
      partCount: object.part_count,
      expiresAt: this.expiresAt(),
    };
    if (this.isMultipart(object))
      return { ...base, method: 'multipart', completedParts: await this.repository.completedParts(ctx, object.id) };
    const request = await this.driver.presignPut(object.key, {
      expiresIn: this.config.STORAGE_URL_TTL_SECONDS,
      contentType: object.content_type,
    });
    return { ...base, method: 'single', completedParts: [], url: absoluteUrl(ctx.origin, request.url), headers: request.headers };
  }

  private isMultipart(object: StoredObjectRow): boolean {
    return isMultipart(object);
  }

  private checkPartNumber(object: StoredObjectRow, partNumber: number): void {
    if (partNumber > object.part_count) throw partChecksumMismatch(partNumber, `this upload has ${object.part_count} parts`);
  }

  private expiresAt(): string {
    return new Date(Date.now() + this.config.STORAGE_URL_TTL_SECONDS * 1000).toISOString();
  }
}
