import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Metrics } from '../../metrics/metrics';
import { packSegment } from '../series/packing';
import { DEFAULT_LIMITS, planCompaction, type CompactionLimits } from './compaction-plan';
import { CompactionRepository, type SeriesKey } from './compaction.repository';

/** Segments scanned per statement, and statements per pass: bounds one pass's work whatever the table's size. */
const SCAN_PAGE = 20_000;
const PAGES_PER_PASS = 10;
/** Groups merged per transaction: bounds how long a series stays locked against its own batches. */
const GROUPS_PER_TRANSACTION = 32;

export interface CompactionResult {
  series: number;
  merged: number;
  removed: number;
}

/**
 * Merges each series' small segments (one per batch: a run logging one point per request
 * leaves one row per point) into segments of up to `target` points, so that storage per point
 * and read time stay flat however the points were sent. Reads are unchanged: a merged segment
 * keeps its parts' points in arrival order and their place among the series' other segments
 * (see planCompaction), and the series row is locked as ingestion locks it, so no batch of the
 * series commits halfway through. Every node runs it; a series another node (or a batch) holds
 * is skipped and tried again at the next pass, so running twice merges nothing twice.
 *
 * New segments are found by scanning the table by id from a watermark kept in memory, a page at
 * a time: after a restart a node rescans from the start, at most PAGES_PER_PASS pages a pass.
 */
@Injectable()
export class SegmentCompactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SegmentCompactor');
  private timer?: NodeJS.Timeout;
  private watermark = '0';
  private retry = new Map<string, SeriesKey>();
  private running?: Promise<CompactionResult>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: CompactionRepository,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SEGMENT_COMPACTION_INTERVAL_MS) return;
    this.timer = setInterval(
      () => void this.pass().catch((error) => this.logger.error({ err: error }, 'segment compaction failed')),
      this.config.SEGMENT_COMPACTION_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass: scan what arrived since the last pass and compact the series that have small segments. */
  pass(limits: CompactionLimits = DEFAULT_LIMITS): Promise<CompactionResult> {
    // One pass at a time per process: a slow pass is not overtaken by the next tick.
    this.running ??= this.runPass(limits).finally(() => (this.running = undefined));
    return this.running;
  }

  private async runPass(limits: CompactionLimits): Promise<CompactionResult> {
    const candidates = new Map(this.retry);
    this.retry.clear();
    for (let page = 0; page < PAGES_PER_PASS; page++) {
      const { lastId, series } = await this.repository.scan(this.dataSource, this.watermark, SCAN_PAGE, limits.small);
      for (const key of series) candidates.set(key.seriesId, key);
      if (lastId === null) break;
      this.watermark = lastId;
    }
    const result: CompactionResult = { series: 0, merged: 0, removed: 0 };
    for (const key of candidates.values()) {
      const done = await this.compactSeries(key, limits);
      if (done.locked) this.retry.set(key.seriesId, key);
      if (done.merged) result.series++;
      result.merged += done.merged;
      result.removed += done.removed;
    }
    this.metrics.compactionPasses.inc();
    this.metrics.compactedSegments.inc(result.removed);
    if (result.removed) this.logger.log(result, 'segments compacted');
    return result;
  }

  /**
   * Compacts one series. `locked`: the series was held (by a batch in flight or another node)
   * before the work was done, and should be tried again later.
   */
  async compactSeries(
    key: SeriesKey,
    limits: CompactionLimits = DEFAULT_LIMITS,
  ): Promise<{ merged: number; removed: number; locked: boolean }> {
    let merged = 0;
    let removed = 0;
    for (;;) {
      const step = await this.dataSource.transaction(async (em) => {
        if (!(await this.repository.lockSeries(em, key))) return null;
        const groups = planCompaction(await this.repository.segments(em, key), limits).slice(0, GROUPS_PER_TRANSACTION);
        for (const ids of groups) {
          const parts = await this.repository.points(em, key, ids);
          const total = parts.reduce((n, p) => n + p.steps.length, 0);
          const steps = new Float64Array(total);
          const values = new Float64Array(total);
          const times = new Float64Array(total);
          let at = 0;
          for (const p of parts) {
            steps.set(p.steps, at);
            values.set(p.values, at);
            times.set(p.times, at);
            at += p.steps.length;
          }
          // packSegment sorts by step stably: points at one step keep their arrival order.
          await this.repository.replace(em, key, ids, packSegment(steps, values, times));
        }
        return { groups: groups.length, removed: groups.reduce((n, g) => n + g.length - 1, 0) };
      });
      if (step === null) return { merged, removed, locked: true };
      merged += step.groups;
      removed += step.removed;
      if (step.groups < GROUPS_PER_TRANSACTION) return { merged, removed, locked: false };
    }
  }
}
