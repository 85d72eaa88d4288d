import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';

interface Entry {
  path: string;
  size: number;
  lastUsed: number;
  users: number;
  ready: Promise<void>;
}

/**
 * Parquet objects copied from the store to local disk, where DuckDB reads
 * them. Bounded by TABLE_CACHE_BYTES: the least recently used files not in
 * use leave first. Concurrent queries of one table share one download.
 */
@Injectable()
export class TableCache implements OnModuleInit {
  private readonly logger = new Logger('TableCache');
  private readonly entries = new Map<string, Entry>();
  private readonly dir: string;
  private bytes = 0;

  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.dir = join(config.TRACKBASE_DATA_DIR, 'cache', 'tables');
  }

  async onModuleInit(): Promise<void> {
    // What an earlier process left is not accounted for: start empty.
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /** Runs `work` with a local path of the object `key` (`size` bytes, content-addressed, so never stale). */
  async use<T>(key: string, size: number, work: (path: string) => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      const path = join(this.dir, `${randomUUID()}.parquet`);
      entry = { path, size, lastUsed: Date.now(), users: 0, ready: this.download(key, path) };
      this.entries.set(key, entry);
      this.bytes += size;
      entry.ready.catch(() => {
        if (this.entries.get(key) === entry) {
          this.entries.delete(key);
          this.bytes -= size;
        }
      });
    }
    entry.users++;
    entry.lastUsed = Date.now();
    try {
      await entry.ready;
      this.evict();
      return await work(entry.path);
    } finally {
      entry.users--;
    }
  }

  private async download(key: string, path: string): Promise<void> {
    const partial = `${path}.part`;
    try {
      await pipeline(await this.driver.read(key), createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  private evict(): void {
    if (this.bytes <= this.config.TABLE_CACHE_BYTES) return;
    const idle = [...this.entries].filter(([, e]) => e.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, entry] of idle) {
      if (this.bytes <= this.config.TABLE_CACHE_BYTES) break;
      this.entries.delete(key);
      this.bytes -= entry.size;
      rm(entry.path, { force: true }).catch((error) => this.logger.warn({ err: error }, 'could not remove a cached table'));
    }
  }
}
