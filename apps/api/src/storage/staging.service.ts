import { Inject, Injectable, Logger } from '@nestjs/common';
import { StorageErrorCode } from '@trackbase/contracts';
import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { objectKeys } from './object-keys';
import { StorageRepository } from './storage.repository';
import type { ObjectOwner, StoredObjectRow } from './stored-object';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';
import { UploadsService } from './uploads.service';

/** What is known of staged bytes once they are all there. */
export interface StagedContent {
  size: number;
  sha256: string;
}

/**
 * Bytes that reach the store before their SHA-256 is known: a body the API
 * streams for a client (MLflow's artifact proxy), or a multipart upload whose
 * parts a client sends without saying what they hold. They wait at a staging
 * key of their owner, are hashed, and then move to their content key, so the
 * objects keep the content addressing of every other upload. Each staging key
 * is enqueued for the janitor when it is handed out, so one left behind by a
 * failed or abandoned transfer (or a crash) is removed after UPLOAD_EXPIRY_SECONDS.
 *
 * None of these steps needs a transaction open while bytes move: `stage` and
 * `declare` take the caller's (short) transaction, the rest touch the store only.
 */
@Injectable()
export class StagingService {
  private readonly logger = new Logger('StagingService');

  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: StorageRepository,
    private readonly uploads: UploadsService,
  ) {}

  /** A fresh staging key of a run in the project of `ctx`; nothing is scheduled yet. */
  keyFor(ctx: RequestContext, runId: string): string {
    return objectKeys.staging(objectKeys.run(ctx.organization.id, ctx.currentProject.id, runId), randomUUID());
  }

  /** Schedules the clean-up of `key` (aborting `multipartUploadId` with it) in the caller's transaction. */
  async schedule(ctx: RequestContext, key: string, multipartUploadId?: string): Promise<void> {
    await this.repository.scheduleDeletion(ctx, key, multipartUploadId ?? null, this.config.UPLOAD_EXPIRY_SECONDS);
  }

  /** Streams `body` to `key`, hashing it on the way; more than `maxBytes` fails the write (nothing is kept). */
  async write(key: string, body: Readable, contentType: string, maxBytes: number): Promise<StagedContent> {
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) return callback(new AppError(413, StorageErrorCode.FileTooLarge, `a file may have at most ${maxBytes} bytes`));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    // pipeline() passes a failing body's error on to what the driver reads (pipe() would not).
    pipeline(body, measure).catch(() => undefined);
    await this.driver.writeStream(key, measure, contentType);
    return { size, sha256: hash.digest('hex') };
  }

  /** Reads a staged object back for its size and SHA-256 (the parts of a multipart upload arrive unchecked). */
  async digest(key: string): Promise<StagedContent> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of await this.driver.read(key)) {
      size += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    return { size, sha256: hash.digest('hex') };
  }

  /** The content object for staged bytes (created pending, quota reserved, where the content is new). */
  async declare(
    ctx: RequestContext,
    owner: ObjectOwner,
    file: StagedContent & { path: string; contentType?: string },
  ): Promise<StoredObjectRow> {
    const [object] = await this.uploads.declare(ctx, owner, [file]);
    return object!;
  }

  /** Moves the staged bytes to the object's key if it still waits for them; otherwise they are a duplicate and go. */
  async place(stagingKey: string, object: StoredObjectRow): Promise<void> {
    if (object.state === 'pending') await this.driver.move(stagingKey, object.key);
    else await this.driver.delete([stagingKey]);
  }

  /** Marks the object available once `place` has put its bytes there; its staging key needs no clean-up any more. */
  async finish(ctx: RequestContext, stagingKey: string, object: StoredObjectRow): Promise<void> {
    await this.repository.markAvailable(ctx, object.id);
    await this.repository.cancelDeletion(ctx, stagingKey);
  }

  /** Discards staged bytes now (aborting their multipart upload); the scheduled clean-up stays as a backstop. */
  async discard(key: string, multipartUploadId?: string): Promise<void> {
    try {
      if (multipartUploadId) await this.driver.abortMultipart(key, multipartUploadId);
      await this.driver.delete([key]);
    } catch (error) {
      this.logger.warn({ err: error, key }, 'could not discard staged bytes now; the janitor will');
    }
  }
}
