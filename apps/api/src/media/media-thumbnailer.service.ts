import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { inScopedTransaction } from '../database/tenant-scope';
import { objectKeys } from '../storage/object-keys';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { makeThumbnail } from './media-decode';
import { MediaRepository, type ThumbnailJob } from './media.repository';

/** Items claimed per transaction. */
const BATCH = 8;
/** How often a node looks for due thumbnails. */
const POLL_MS = 250;
/** A store that cannot be read is tried again this many times (1 s, 2 s, 4 s, … apart) before the item is marked failed. */
export const THUMBNAIL_ATTEMPTS = 5;

/**
 * Makes the thumbnails of media items in the background, on every API node
 * (items are claimed with SKIP LOCKED, so nodes share the work and none does
 * an item twice at once). For each pending item: read the content, decode it
 * fully, write the WebP (content-addressed in the run, so a second attempt
 * or the same image elsewhere in the run writes nothing new) and mark the
 * item `ready`. Content that does not decode marks the item `failed` with the
 * reason at once; any other error (the store unreachable) is retried with
 * backoff. One item's failure never holds up the others.
 */
@Injectable()
export class MediaThumbnailer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MediaThumbnailer');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly repository: MediaRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.drain()
        .catch((error) => this.logger.error({ err: error }, 'thumbnail pass failed'))
        .finally(() => (this.running = undefined));
    }, POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Works until nothing is due; returns how many items it settled (made, failed or put back for a retry). */
  async drain(): Promise<number> {
    let settled = 0;
    for (;;) {
      const done = await this.runBatch();
      settled += done;
      if (done < BATCH) return settled;
    }
  }

  private runBatch(): Promise<number> {
    return inScopedTransaction(this.dataSource, { kind: 'system' }, async (em) => {
      const jobs = await this.repository.claimThumbnails(em, BATCH);
      for (const job of jobs) {
        try {
          const thumbnail = await makeThumbnail(await this.read(job.object_key), job.type === 'figure' ? 'figure' : job.type);
          const sha256 = createHash('sha256').update(thumbnail).digest('hex');
          const key = objectKeys.content(objectKeys.run(job.organization_id, job.project_id, job.run_id), sha256);
          if (!(await this.driver.head(key))) await this.driver.write(key, thumbnail, 'image/webp');
          await this.repository.thumbnailReady(
            em,
            job.id,
            await this.repository.thumbnailObject(em, job, { key, sha256, size: thumbnail.length }),
          );
        } catch (error) {
          await this.settleFailure(em, job, error);
        }
      }
      return jobs.length;
    });
  }

  private async settleFailure(em: Parameters<MediaRepository['thumbnailFailed']>[0], job: ThumbnailJob, error: unknown): Promise<void> {
    if (error instanceof AppError) {
      await this.repository.thumbnailFailed(em, job.id, { code: error.code, message: error.message });
      return;
    }
    const message = (error as Error)?.message ?? String(error);
    if (job.attempts + 1 >= THUMBNAIL_ATTEMPTS) {
      this.logger.warn({ item: job.id, err: error }, 'thumbnail failed for good');
      await this.repository.thumbnailFailed(em, job.id, { code: 'thumbnail_failed', message });
    } else {
      await this.repository.thumbnailRetry(em, job.id, 2 ** job.attempts, { code: 'thumbnail_retrying', message });
    }
  }

  private async read(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.driver.read(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
