import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Something measured only when Prometheus scrapes (pool state, queue lengths, bytes per organization). */
export type ScrapeCollector = () => Promise<void> | void;

/**
 * The operator-facing numbers of one API process, in the Prometheus format (`/metrics`). One
 * registry per application instance, so tests that start several apps in one process stay apart.
 * Names are prefixed `trackbase_`; every label has a small, fixed set of values (routes are their
 * patterns, never their ids).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly collectors: ScrapeCollector[] = [];

  readonly httpRequests = new Counter({
    name: 'trackbase_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'trackbase_http_request_duration_seconds',
    help: 'Time from request to the end of the answer, by route pattern, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly ingestBatches = new Counter({
    name: 'trackbase_ingest_batches_total',
    help: 'Run batches handled: committed, duplicate (a retry acknowledged again) or refused.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ingestPoints = new Counter({
    name: 'trackbase_ingest_points_total',
    help: 'Metric, system and text points committed.',
    registers: [this.registry],
  });
  readonly ingestBatchPoints = new Histogram({
    name: 'trackbase_ingest_batch_points',
    help: 'Points per committed batch.',
    buckets: [1, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000],
    registers: [this.registry],
  });
  readonly ingestDuration = new Histogram({
    name: 'trackbase_ingest_batch_duration_seconds',
    help: 'Server time to apply and commit one batch.',
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly seriesReadDuration = new Histogram({
    name: 'trackbase_series_read_duration_seconds',
    help: 'Time to read series for one request (run or project series).',
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly crashSweeps = new Counter({
    name: 'trackbase_crash_sweeps_total',
    help: 'Sweeps for silent runs made by this process.',
    registers: [this.registry],
  });
  readonly compactionPasses = new Counter({
    name: 'trackbase_segment_compaction_passes_total',
    help: 'Passes of the series segment compactor made by this process.',
    registers: [this.registry],
  });
  readonly compactedSegments = new Counter({
    name: 'trackbase_segments_compacted_total',
    help: 'Small series segments merged away by this process (each merge of n segments counts n - 1).',
    registers: [this.registry],
  });
  readonly crashedRuns = new Counter({
    name: 'trackbase_crashed_runs_total',
    help: 'Runs marked crashed by this process after missing heartbeats.',
    registers: [this.registry],
  });
  readonly dbPool = new Gauge({
    name: 'trackbase_db_pool_connections',
    help: 'Database pool connections of this process: total open, idle, and requests waiting for one.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly liveSubscribers = new Gauge({
    name: 'trackbase_realtime_subscribers',
    help: 'Websocket clients connected to this process.',
    registers: [this.registry],
  });
  readonly janitorQueue = new Gauge({
    name: 'trackbase_storage_janitor_queue',
    help: 'Stored objects waiting to be deleted by the storage janitor.',
    registers: [this.registry],
  });
  readonly storageBytes = new Gauge({
    name: 'trackbase_storage_bytes',
    help: 'Bytes stored per organization (as counted against its quota).',
    labelNames: ['organization'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'trackbase_' });
  }

  /** A batch's figures, recorded once its transaction committed. */
  recordBatch(ack: { duplicate: boolean; points: number }, seconds: number): void {
    this.ingestBatches.inc({ outcome: ack.duplicate ? 'duplicate' : 'committed' });
    if (ack.duplicate) return;
    this.ingestPoints.inc(ack.points);
    this.ingestBatchPoints.observe(ack.points);
    this.ingestDuration.observe(seconds);
  }

  /** Registers work done at each scrape (reading the pool, counting a queue). */
  onScrape(collector: ScrapeCollector): void {
    this.collectors.push(collector);
  }

  /** The exposition text, after running every scrape-time collector (a failing one is skipped). */
  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.all(
      this.collectors.map(async (collect) => {
        try {
          await collect();
        } catch {
          // a collector whose source is away (the database restarting) leaves its last value
        }
      }),
    );
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
