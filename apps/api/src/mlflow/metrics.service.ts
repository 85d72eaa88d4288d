import { Injectable } from '@nestjs/common';
import { ProjectPermission } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { SeriesRepository } from '../runs/series/series.repository';
import { decodeOffset, encodeOffset } from './experiments.service';
import { MlflowScopeService } from './mlflow-scope.service';
import { wireDouble } from './mlflow-wire';

interface Point {
  step: number;
  value: number;
  timestamp: number;
}

/** Metric histories read from the run's series segments, in step then timestamp order (never arrival order). */
@Injectable()
export class MetricsService {
  constructor(
    private readonly scope: MlflowScopeService,
    private readonly series: SeriesRepository,
  ) {}

  async points(ctx: RequestContext, runId: string, key: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<Point[]> {
    const [found] = await this.series.findSeries(ctx, [runId], 'metric', [key]);
    if (!found) return [];
    const segments = await this.series.segmentsInRange(ctx, found.id, from, to);
    const stored = await this.series.points(
      ctx,
      segments.map((s) => s.id),
    );
    const points: Point[] = [];
    for (const seg of stored) {
      for (let i = 0; i < seg.steps.length; i++) {
        const step = seg.steps[i]!;
        if (step >= from && step <= to) points.push({ step, value: seg.values[i]!, timestamp: seg.times[i]! });
      }
    }
    return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }

  async history(ctx: RequestContext, q: { run_id: string; metric_key: string; max_results?: number; page_token?: string }) {
    const { ctx: scoped, row } = await this.scope.run(ctx, q.run_id, ProjectPermission.Read);
    const all = await this.points(scoped, row.run_id, q.metric_key);
    const offset = decodeOffset(q.page_token);
    const end = q.max_results ? offset + q.max_results : all.length;
    return {
      metrics: all.slice(offset, end).map((p) => wire(q.metric_key, p)),
      ...(end < all.length ? { next_page_token: encodeOffset(end) } : {}),
    };
  }

  /** Up to `max_results` points per run with evenly spaced steps (the first and last included), as MLflow's UI asks. */
  async bulkInterval(
    ctx: RequestContext,
    q: { run_ids: string[]; metric_key: string; start_step?: number; end_step?: number; max_results: number },
  ) {
    const metrics = [];
    for (const runId of q.run_ids) {
      const { ctx: scoped, row } = await this.scope.run(ctx, runId, ProjectPermission.Read);
      const points = await this.points(scoped, row.run_id, q.metric_key, q.start_step ?? 0, q.end_step ?? Number.MAX_SAFE_INTEGER);
      const sampled =
        points.length <= q.max_results
          ? points
          : Array.from({ length: q.max_results }, (_, i) => points[Math.round((i * (points.length - 1)) / (q.max_results - 1))]!);
      metrics.push(...sampled.map((p) => ({ ...wire(q.metric_key, p), run_id: row.run_id })));
    }
    return { metrics };
  }
}

function wire(key: string, p: Point) {
  return { key, value: wireDouble(p.value), timestamp: p.timestamp, step: p.step };
}
