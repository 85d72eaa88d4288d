import { Injectable } from '@nestjs/common';
import type { SeriesKind } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import type { SketchSegment, StoredSegment } from './downsample';
import { fromBytes } from './packing';

export interface SeriesRef {
  id: string;
  runId: string;
  kind: SeriesKind;
  name: string;
  count: number;
  lastStep: number | null;
  lastValue: number | null;
}

export interface SegmentMeta {
  id: string;
  seriesId?: string;
  /** segmentsOfMany: the index of the read the segment answers. */
  read?: number;
  firstStep: number;
  lastStep: number;
  count: number;
}

/** A series row's summary columns, as node-pg answers them (bigints as strings). */
export interface SeriesSummaryRow {
  name: string;
  kind: SeriesKind;
  count: string;
  last_step: string | null;
  last_value: number | null;
  min_value: number | null;
  max_value: number | null;
  last_time_ms: number | null;
}

/** Reads of series and their segments; always within the context's organization. */
@Injectable()
export class SeriesRepository {
  /** Every series of a run with its summary, by kind and name. */
  async summariesOfRun(ctx: RequestContext, runId: string): Promise<SeriesSummaryRow[]> {
    return ctx.em.query(
      `SELECT name, kind, count, last_step, last_value, min_value, max_value, last_time_ms
           FROM series WHERE organization_id = $1 AND run_id = $2 ORDER BY kind, name`,
      [ctx.organization.id, runId],
    );
  }

  /** Distinct names of these runs' series of a kind, sorted (one index scan; no row per series reaches Node). */
  async seriesNames(ctx: RequestContext, runIds: string[], kind: SeriesKind): Promise<string[]> {
    const rows: Array<{ name: string }> = await ctx.em.query(
      `SELECT DISTINCT name FROM series
        WHERE organization_id = $1 AND run_id = ANY($2::uuid[]) AND kind = $3
        ORDER BY name`,
      [ctx.organization.id, runIds, kind],
    );
    return rows.map((r) => r.name);
  }

  async findSeries(ctx: RequestContext, runIds: string[], kind: SeriesKind, names: string[] | null): Promise<SeriesRef[]> {
    const rows: Array<{
      id: string;
      run_id: string;
      kind: SeriesKind;
      name: string;
      count: string;
      last_step: string | null;
      last_value: number | null;
    }> = await ctx.em.query(
      `SELECT id, run_id, kind, name, count, last_step, last_value FROM series
        WHERE organization_id = $1 AND run_id = ANY($2::uuid[]) AND kind = $3 AND ($4::text[] IS NULL OR name = ANY($4::text[]))
        ORDER BY run_id, name`,
      [ctx.organization.id, runIds, kind, names],
    );
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      kind: r.kind,
      name: r.name,
      count: Number(r.count),
      lastStep: r.last_step === null ? null : Number(r.last_step),
      lastValue: r.last_value,
    }));
  }

  async segmentsInRange(
    ctx: RequestContext,
    seriesId: string,
    from: number,
    to: number,
    table = 'series_segments',
  ): Promise<SegmentMeta[]> {
    const rows: Array<{ id: string; first_step: string; last_step: string; count: number }> = await ctx.em.query(
      `SELECT id, first_step, last_step, count FROM ${table}
        WHERE organization_id = $1 AND series_id = $2 AND last_step >= $3 AND first_step <= $4
        ORDER BY first_step, id`,
      [ctx.organization.id, seriesId, from, to],
    );
    return rows.map((r) => ({ id: r.id, firstStep: Number(r.first_step), lastStep: Number(r.last_step), count: r.count }));
  }

  /**
   * Segments of many reads at once, each read a series between its own first and last step; ordered by read then
   * step, each segment tagged with the index of its read (a series may be read twice, with different ranges).
   */
  async segmentsOfMany(ctx: RequestContext, seriesIds: string[], froms: number[], tos: number[]): Promise<SegmentMeta[]> {
    const rows: Array<{ id: string; series_id: string; read: number; first_step: string; last_step: string; count: number }> =
      await ctx.em.query(
        `SELECT s.id, s.series_id, q.read::int AS read, s.first_step, s.last_step, s.count
           FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS q(series_id, from_step, to_step, read)
           JOIN series_segments s ON s.series_id = q.series_id AND s.last_step >= q.from_step AND s.first_step <= q.to_step
          WHERE s.organization_id = $1
          ORDER BY q.read, s.first_step, s.id`,
        [ctx.organization.id, seriesIds, froms, tos],
      );
    return rows.map((r) => ({
      id: r.id,
      seriesId: r.series_id,
      read: r.read - 1,
      firstStep: Number(r.first_step),
      lastStep: Number(r.last_step),
      count: r.count,
    }));
  }

  /**
   * Points of many segments, grouped by series, each group in id order: the order the points
   * arrived in, whatever the segments' step ranges, so points logged twice at one step read in
   * the order they were logged (and compaction, which keeps that order, changes no read).
   */
  async pointsBySeries(ctx: RequestContext, segmentIds: string[]): Promise<Map<string, StoredSegment[]>> {
    const rows: Array<{ series_id: string; steps: Buffer; values: Buffer; times: Buffer }> = await ctx.em.query(
      `SELECT series_id, steps, values, times FROM series_segments
        WHERE organization_id = $1 AND id = ANY($2::bigint[]) ORDER BY series_id, id`,
      [ctx.organization.id, segmentIds],
    );
    return groupBy(rows, (r) => ({ steps: fromBytes(r.steps), values: fromBytes(r.values), times: fromBytes(r.times) }));
  }

  /** Sketches of many segments, grouped by series, in id (arrival) order. */
  async sketchesBySeries(ctx: RequestContext, segmentIds: string[]): Promise<Map<string, SketchSegment[]>> {
    const rows: Array<{ series_id: string; chunks: Buffer }> = await ctx.em.query(
      `SELECT series_id, chunks FROM series_segments WHERE organization_id = $1 AND id = ANY($2::bigint[]) ORDER BY series_id, id`,
      [ctx.organization.id, segmentIds],
    );
    return groupBy(rows, (r) => ({ chunks: fromBytes(r.chunks) }));
  }

  /** Points of the segments in id (arrival) order. */
  async points(ctx: RequestContext, segmentIds: string[]) {
    const rows: Array<{ steps: Buffer; values: Buffer; times: Buffer }> = await ctx.em.query(
      `SELECT steps, values, times FROM series_segments WHERE organization_id = $1 AND id = ANY($2::bigint[]) ORDER BY id`,
      [ctx.organization.id, segmentIds],
    );
    return rows.map((r) => ({ steps: fromBytes(r.steps), values: fromBytes(r.values), times: fromBytes(r.times) }));
  }

  async sketches(ctx: RequestContext, segmentIds: string[]) {
    const rows: Array<{ chunks: Buffer }> = await ctx.em.query(
      `SELECT chunks FROM series_segments WHERE organization_id = $1 AND id = ANY($2::bigint[])`,
      [ctx.organization.id, segmentIds],
    );
    return rows.map((r) => ({ chunks: fromBytes(r.chunks) }));
  }

  /** Lines of text segments, each segment's arrays whole, ordered by first step then id. */
  async textPoints(ctx: RequestContext, segmentIds: string[]): Promise<Array<{ steps: number[]; times: number[]; lines: string[] }>> {
    const rows: Array<{ steps: string[]; times: number[]; lines: string[] }> = await ctx.em.query(
      `SELECT steps, times, lines FROM text_segments WHERE organization_id = $1 AND id = ANY($2::bigint[]) ORDER BY first_step, id`,
      [ctx.organization.id, segmentIds],
    );
    return rows.map((r) => ({ steps: r.steps.map(Number), times: r.times.map(Number), lines: r.lines }));
  }

  async textLines(ctx: RequestContext, seriesId: string, from: number, to: number, search: string | null, limit: number) {
    const rows: Array<{ step: string; time: number; line: string }> = await ctx.em.query(
      `SELECT t.step, t.time, t.line
         FROM text_segments s, unnest(s.steps, s.times, s.lines) AS t(step, time, line)
        WHERE s.organization_id = $1 AND s.series_id = $2 AND s.last_step >= $3 AND s.first_step <= $4
          AND t.step BETWEEN $3 AND $4
          AND ($5::text IS NULL OR strpos(lower(t.line), lower($5)) > 0)
        ORDER BY t.step, s.id
        LIMIT $6`,
      [ctx.organization.id, seriesId, from, to, search, limit],
    );
    return rows.map((r) => ({ step: Number(r.step), time: r.time, line: r.line }));
  }
}

function groupBy<R extends { series_id: string }, T>(rows: R[], map: (row: R) => T): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(row.series_id);
    if (list) list.push(map(row));
    else groups.set(row.series_id, [map(row)]);
  }
  return groups;
}
