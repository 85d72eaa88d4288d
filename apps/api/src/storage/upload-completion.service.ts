import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CompleteUploadsResponse, UploadStatus } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { checksumMismatch, uploadIncomplete } from './storage.errors';
import { isMultipart, type StoredObjectRow } from './stored-object';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';
import { StorageRepository } from './storage.repository';
import { UploadsService } from './uploads.service';
import { verifyObject } from './verify-object';

type Outcome = { status: UploadStatus; refusal?: AppError };

/**
 * Makes uploaded objects available once what the store holds is what was
 * declared: assembles multipart uploads, reads the object back and checks size
 * and SHA-256. A mismatch discards the bytes and resets the upload so that
 * the client can send it again; that reset is kept although the answer is 400.
 */
@Injectable()
export class UploadCompletionService {
  private readonly logger = new Logger('UploadCompletion');

  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly uploads: UploadsService,
    private readonly storage: StorageRepository,
  ) {}

  async complete(ctx: RequestContext, uploadId: string): Promise<UploadStatus> {
    const { status, refusal } = await this.completeOne(ctx, uploadId);
    if (refusal) ctx.failAfterCommit(refusal);
    return status;
  }

  /**
   * Completes many small uploads in one request (each answered on its own):
   * a directory of small files costs one completion call per hundred files
   * rather than one each.
   */
  async completeMany(ctx: RequestContext, uploadIds: string[]): Promise<CompleteUploadsResponse> {
    const results: CompleteUploadsResponse['results'] = [];
    for (const uploadId of [...new Set(uploadIds)]) {
      try {
        const { status, refusal } = await this.completeOne(ctx, uploadId);
        results.push({ ...status, ...(refusal ? { error: { code: refusal.code, message: refusal.message } } : {}) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ uploadId, state: 'pending', completedParts: [], partCount: 0, error: { code: error.code, message: error.message } });
      }
    }
    return { results };
  }

  private async completeOne(ctx: RequestContext, uploadId: string): Promise<Outcome> {
    const object = await this.uploads.find(ctx, uploadId, { lock: true });
    const done: UploadStatus = { uploadId: object.id, state: 'available', completedParts: [], partCount: object.part_count };
    if (object.state === 'available') return { status: done };
    if (isMultipart(object)) await this.assemble(ctx, object);
    const head = await this.driver.head(object.key);
    if (!head) throw uploadIncomplete('nothing has been stored at the upload URL yet');
    const problem = await verifyObject(this.driver, object.key, head.size, Number(object.size), object.sha256);
    if (problem) {
      await this.driver
        .delete([object.key])
        .catch((error) => this.logger.warn({ err: error, key: object.key }, 'could not discard a corrupted object'));
      await this.storage.resetUpload(ctx, object.id);
      return { status: { ...done, state: 'pending' }, refusal: checksumMismatch(`${problem}; the upload was reset, send the file again`) };
    }
    await this.storage.completeUpload(ctx, object.id);
    if (object.run_id) this.uploads.announceRunFiles(ctx, object.run_id);
    return { status: done };
  }

  private async assemble(ctx: RequestContext, object: StoredObjectRow): Promise<void> {
    const parts = await this.storage.partsOfUpload(ctx, object.id);
    const have = new Set(parts.map((p) => p.part_number));
    const missing = Array.from({ length: object.part_count }, (_, i) => i + 1).filter((n) => !have.has(n));
    if (missing.length > 0 || !object.multipart_upload_id) {
      throw uploadIncomplete(`parts not yet stored: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`, [
        { path: 'parts', message: `missing ${missing.length} of ${object.part_count}` },
      ]);
    }
    try {
      await this.driver.completeMultipart(
        object.key,
        object.multipart_upload_id,
        parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })),
      );
    } catch (error) {
      // A retry after the store assembled the object but our commit failed: the upload is gone, the object is there.
      if (!(await this.driver.head(object.key))) throw error;
    }
  }
}
