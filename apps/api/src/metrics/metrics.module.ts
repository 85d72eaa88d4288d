import { Global, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createServer, type Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inScopedTransaction } from '../database/tenant-scope';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { metricsRepository } from './metrics.repository';

/** Seconds between recounts of what costs a query (storage per organization, the janitor's queue). */
const TABLE_GAUGES_MAX_AGE_MS = 15_000;

/** Wires the scrape-time gauges that need the database, and the optional metrics port. */
@Injectable()
class MetricsSources implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;
  private tablesCountedAt = 0;

  constructor(
    private readonly metrics: Metrics,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.onScrape(() => this.readPool());
    this.metrics.onScrape(() => this.countTables());
    const port = this.config.METRICS_PORT;
    if (port === undefined) return;
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.metrics.render().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        () => response.writeHead(500).end(),
      );
    });
    this.server.listen(port, this.config.HOST, () => this.logger.log(`metrics on http://${this.config.HOST}:${port}/metrics`));
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The pg pool behind TypeORM: connections open, idle, and callers waiting for one. */
  private readPool(): void {
    const pool = (this.dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
    if (!pool) return;
    this.metrics.dbPool.set({ state: 'total' }, pool.totalCount);
    this.metrics.dbPool.set({ state: 'idle' }, pool.idleCount);
    this.metrics.dbPool.set({ state: 'waiting' }, pool.waitingCount);
  }

  private async countTables(): Promise<void> {
    if (Date.now() - this.tablesCountedAt < TABLE_GAUGES_MAX_AGE_MS) return;
    this.tablesCountedAt = Date.now();
    const { bytes, queue } = await inScopedTransaction(this.dataSource, { kind: 'system' }, async (em) => ({
      bytes: await metricsRepository.storageBytesByOrganization(em),
      queue: await metricsRepository.janitorQueueLength(em),
    }));
    this.metrics.storageBytes.reset();
    for (const row of bytes) this.metrics.storageBytes.set({ organization: row.organizationId }, row.usedBytes);
    this.metrics.janitorQueue.set(queue);
  }
}

@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, MetricsSources],
  exports: [Metrics],
})
export class MetricsModule {}
