import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { toBytes } from '../series/packing';
import type { PreparedNumeric, PreparedText } from './prepare-batch';

/** Rows per multi-row INSERT: 12 parameters each stays far below PostgreSQL's 65,535. */
const SEGMENT_ROWS_PER_STATEMENT = 2_000;

/** The ingestion hot path in SQL: ledger, series summaries and packed segments. */
@Injectable()
export class IngestRepository {
  /** Records (stream, seq) for the run; false when it was already committed (the batch is a retry). */
  async claimBatch(ctx: RequestContext, runId: string, streamId: string, seq: number, points: number): Promise<boolean> {
    const rows = await ctx.em.query(
      `INSERT INTO run_batches (organization_id, run_id, stream_id, seq, points) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (run_id, stream_id, seq) DO NOTHING RETURNING seq`,
      [ctx.organization.id, runId, streamId, seq, points],
    );
    return rows.length > 0;
  }

  /** Creates missing series and folds the new points into their summaries; returns series ids by kind and name. */
  async upsertSeries(
    ctx: RequestContext,
    runId: string,
    series: Array<{
      kind: string;
      name: string;
      count: number;
      lastStep: number | null;
      lastValue: number | null;
      lastTime: number | null;
      min: number | null;
      max: number | null;
    }>,
  ): Promise<Map<string, string>> {
    if (!series.length) return new Map();
    const rows: Array<{ id: string; kind: string; name: string }> = await ctx.em.query(
      `INSERT INTO series AS s (organization_id, run_id, kind, name, count, last_step, last_value, last_time_ms, min_value, max_value)
       SELECT $1, $2, u.kind, u.name, u.count, u.last_step, u.last_value, u.last_time, u.min_value, u.max_value
         FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::float8[], $8::float8[], $9::float8[], $10::float8[])
              AS u(kind, name, count, last_step, last_value, last_time, min_value, max_value)
       ON CONFLICT (run_id, kind, name) DO UPDATE SET
         count = s.count + EXCLUDED.count,
         min_value = LEAST(s.min_value, EXCLUDED.min_value),
         max_value = GREATEST(s.max_value, EXCLUDED.max_value),
         last_value = CASE WHEN s.last_step IS NULL OR EXCLUDED.last_step >= s.last_step THEN EXCLUDED.last_value ELSE s.last_value END,
         last_time_ms = CASE WHEN s.last_step IS NULL OR EXCLUDED.last_step >= s.last_step THEN EXCLUDED.last_time_ms ELSE s.last_time_ms END,
         last_step = GREATEST(s.last_step, EXCLUDED.last_step)
       RETURNING id, kind, name`,
      [
        ctx.organization.id,
        runId,
        series.map((s) => s.kind),
        series.map((s) => s.name),
        series.map((s) => s.count),
        series.map((s) => s.lastStep),
        series.map((s) => floatParam(s.lastValue)),
        series.map((s) => s.lastTime),
        series.map((s) => floatParam(s.min)),
        series.map((s) => floatParam(s.max)),
      ],
    );
    return new Map(rows.map((r) => [`${r.kind}\u0000${r.name}`, r.id]));
  }

  async insertSegments(ctx: RequestContext, ids: Map<string, string>, series: PreparedNumeric[]): Promise<void> {
    for (let start = 0; start < series.length; start += SEGMENT_ROWS_PER_STATEMENT) {
      const slice = series.slice(start, start + SEGMENT_ROWS_PER_STATEMENT);
      const params: unknown[] = [ctx.organization.id];
      const values = slice.map((s) => {
        const seg = s.segment;
        const base = params.length;
        params.push(
          ids.get(`${s.kind}\u0000${s.name}`),
          seg.firstStep,
          seg.lastStep,
          seg.count,
          floatParam(seg.min),
          floatParam(seg.max),
          toBytes(seg.steps),
          toBytes(seg.values),
          toBytes(seg.times),
          toBytes(seg.chunks),
        );
        return `($1, ${Array.from({ length: 10 }, (_, i) => `$${base + i + 1}`).join(', ')})`;
      });
      await ctx.em.query(
        `INSERT INTO series_segments (organization_id, series_id, first_step, last_step, count, min_value, max_value, steps, values, times, chunks)
         VALUES ${values.join(', ')}`,
        params,
      );
    }
  }

  async insertText(ctx: RequestContext, ids: Map<string, string>, series: PreparedText[]): Promise<void> {
    for (const s of series) {
      await ctx.em.query(
        `INSERT INTO text_segments (organization_id, series_id, first_step, last_step, count, steps, times, lines)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [ctx.organization.id, ids.get(`text\u0000${s.name}`), s.firstStep, s.lastStep, s.steps.length, s.steps, s.times, s.lines],
      );
    }
  }

  async mergeParams(ctx: RequestContext, runId: string, params: Record<string, unknown>): Promise<void> {
    await ctx.em.query(`UPDATE runs SET params = params || $3::jsonb WHERE organization_id = $1 AND id = $2`, [
      ctx.organization.id,
      runId,
      JSON.stringify(params),
    ]);
  }

  async mergeContext(ctx: RequestContext, runId: string, context: Record<string, unknown>): Promise<void> {
    await ctx.em.query(`UPDATE runs SET context = context || $3::jsonb WHERE organization_id = $1 AND id = $2`, [
      ctx.organization.id,
      runId,
      JSON.stringify(context),
    ]);
  }

  async changeTags(ctx: RequestContext, runId: string, add: string[], remove: string[]): Promise<void> {
    await ctx.em.query(
      `UPDATE runs SET tags = ARRAY(
          SELECT DISTINCT t FROM unnest(array_cat(tags, $3::text[])) AS t WHERE NOT (t = ANY($4::text[])) ORDER BY t)
        WHERE organization_id = $1 AND id = $2`,
      [ctx.organization.id, runId, add, remove],
    );
  }
}

/**
 * node-pg writes NaN and infinities into float8[] text literals in a form
 * PostgreSQL accepts only as strings; pass them spelled out.
 */
function floatParam(value: number | null): number | string | null {
  if (value === null) return null;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}
