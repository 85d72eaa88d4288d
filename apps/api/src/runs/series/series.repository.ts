import { Injectable } from '@nestjs/common';
import type { SeriesKind } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { fromBytes } from './packing';

export interface SeriesRef {
  id: string;
  runId: string;
  kind: SeriesKind;
  name: string;
  count: number;
}

export interface SegmentMeta {
  id: string;
  firstStep: number;
  lastStep: number;
  count: number;
}

/** Reads of series and their segments; always within the context's organization. */
@Injectable()
export class SeriesRepository {
  async findSeries(ctx: RequestContext, runIds: string[], kind: SeriesKind, names: string[] | null): Promise<SeriesRef[]> {
    const rows: Array<{ id: string; run_id: string; kind: SeriesKind; name: string; count: string }> = await ctx.em.query(
      `SELECT id, run_id, kind, name, count FROM series
        WHERE organization_id = $1 AND run_id = ANY($2::uuid[]) AND kind = $3 AND ($4::text[] IS NULL OR name = ANY($4::text[]))
        ORDER BY run_id, name`,
      [ctx.organization.id, runIds, kind, names],
    );
    return rows.map((r) => ({ id: r.id, runId: r.run_id, kind: r.kind, name: r.name, count: Number(r.count) }));
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

  async points(ctx: RequestContext, segmentIds: string[]) {
    const rows: Array<{ steps: Buffer; values: Buffer; times: Buffer }> = await ctx.em.query(
      `SELECT steps, values, times FROM series_segments WHERE organization_id = $1 AND id = ANY($2::bigint[]) ORDER BY first_step, id`,
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
