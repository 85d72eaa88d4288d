import { Metrics } from '../metrics/metrics';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RunEvents } from './run-events';
import { runKey } from './run-key';
import { RunsRepository } from './runs.repository';

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
    private readonly events: RunEvents,
    private readonly metrics: Metrics,
    private readonly runs: RunsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.sweep().catch((error) => this.logger.error({ err: error }, 'crash sweep failed')),
      this.config.RUN_CRASH_CHECK_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const rows = await this.runs.markCrashed(this.dataSource, this.config.RUN_HEARTBEAT_TIMEOUT_SECONDS);
    this.metrics.crashSweeps.inc();
    this.metrics.crashedRuns.inc(rows.length);
    for (const row of rows) {
      this.events.emit('run', {
        organizationId: row.organization_id,
        event: {
          runId: row.id,
          projectId: row.project_id,
          key: runKey(row.slug, row.number),
          name: row.name,
          state: 'crashed',
          tags: row.tags,
          change: 'updated',
        },
      });
    }
    const count = rows.length;
    if (count) this.logger.log({ crashed: count }, 'runs marked crashed');
    return count;
  }
}
