import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { queryRows } from '../database/sql';

/**
 * Marks `running` runs whose heartbeats stopped as `crashed`. Every API node
 * runs it; the UPDATE is idempotent, so several nodes doing it at once agree.
 * A later heartbeat or batch brings the run back (see RunsRepository.touch).
 */
@Injectable()
export class CrashMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CrashMonitor');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch((error) => this.logger.error({ err: error }, 'crash sweep failed')), this.config.RUN_CRASH_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE runs SET state = 'crashed', ended_at = heartbeat_at
        WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1)
        RETURNING id`,
      [this.config.RUN_HEARTBEAT_TIMEOUT_SECONDS],
    );
    const count = rows.length;
    if (count) this.logger.log({ crashed: count }, 'runs marked crashed');
    return count;
  }
}
