import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inScopedTransaction } from '../database/tenant-scope';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';
import { StorageRepository } from './storage.repository';
import { TrashRepository } from '../trash/trash.repository';

const BATCH = 500;

/**
 * Background upkeep of the store, on every API node (rows are claimed with
 * SKIP LOCKED, so nodes share the work): deletes the objects that
 * `storage_deletions` names (filled by a trigger whenever object rows go:
 * deleted runs, projects, organizations, versions), expires uploads and
 * artifact drafts abandoned for longer than UPLOAD_EXPIRY_SECONDS, aborting
 * their multipart uploads, and purges trashed runs, artifacts, artifact versions and
 * projects past their `purge_after` (TRASH_RETENTION_DAYS), whose objects
 * the same pass then deletes.
 */
@Injectable()
export class StorageJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StorageJanitor');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly storage: StorageRepository,
    private readonly trash: TrashRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((error) => this.logger.error({ err: error }, 'storage upkeep failed'))
        .finally(() => (this.running = undefined));
    }, this.config.STORAGE_JANITOR_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One full pass; returns what it did. */
  async runOnce(): Promise<{
    expiredUploads: number;
    expiredDrafts: number;
    purged: { runs: number; artifacts: number; artifactVersions: number; projects: number };
    deletedObjects: number;
  }> {
    const { drafts, uploads } = await this.expireAbandoned();
    const purged = await inScopedTransaction(this.dataSource, { kind: 'system' }, (em) => this.trash.purgeExpired(em));
    let deletedObjects = 0;
    for (;;) {
      const done = await this.deleteBatch();
      deletedObjects += done;
      if (done < BATCH) break;
    }
    return { expiredUploads: uploads, expiredDrafts: drafts, purged, deletedObjects };
  }

  private async expireAbandoned(): Promise<{ drafts: number; uploads: number }> {
    const seconds = this.config.UPLOAD_EXPIRY_SECONDS;
    return inScopedTransaction(this.dataSource, { kind: 'system' }, async (em) => {
      const drafts = await this.storage.expireDrafts(em, seconds);
      // The delete trigger enqueues each key with its multipart upload id, which the batch below aborts.
      const uploads = await this.storage.expirePendingUploads(em, seconds);
      return { drafts, uploads };
    });
  }

  /**
   * Claims due deletions and removes their objects from the store. A key that
   * is stored again meanwhile (same content uploaded anew) is left alone: the
   * declaration that re-created it removed its deletion row, or waits for
   * this transaction to end before it does.
   */
  private async deleteBatch(): Promise<number> {
    return inScopedTransaction(this.dataSource, { kind: 'system' }, async (em) => {
      const due = await this.storage.claimDeletions(em, BATCH);
      if (due.length === 0) return 0;
      const live = await this.storage.liveKeys(
        em,
        due.map((d) => d.key),
      );
      const doomed = due.filter((d) => !live.has(d.key));
      try {
        for (const d of doomed) if (d.multipart_upload_id) await this.driver.abortMultipart(d.key, d.multipart_upload_id);
        await this.driver.delete(doomed.map((d) => d.key));
      } catch (error) {
        this.logger.warn({ err: error, count: due.length }, 'object deletion failed; retrying later');
        await this.storage.postponeDeletions(
          em,
          due.map((d) => d.id),
        );
        return 0;
      }
      await this.storage.forgetDeletions(
        em,
        due.map((d) => d.id),
      );
      return due.length;
    });
  }
}
