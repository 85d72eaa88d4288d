import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { TENANT_ROLE } from '../../database/tenant-scope';
import { floatParam, toBytes } from '../series/packing';
import type { PreparedNumeric, PreparedText, SeriesSummary } from './prepare-batch';

/** A connection that runs one statement: a TypeORM query runner or entity manager. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** One batch of a group commit, as the group's statements see it. */
export interface GroupedBatch {
  projectId: string;
  runRef: { id: string } | { number: number };
  streamId: string;
  seq: number;
  points: number;
  numeric: PreparedNumeric[];
  text: PreparedText[];
}

/** The outcome of the group's claim: per batch, its run (absent when no such run) and whether it is new. */
export interface ClaimedBatch {
  runId: string | null;
  fresh: boolean;
}

/** Folds a new summary row into an existing series (`s`): the same rule for one batch and for a group. */
const FOLD_SUMMARY = `ON CONFLICT (organization_id, run_id, kind, name) DO UPDATE SET
         count = s.count + EXCLUDED.count,
         min_value = LEAST(s.min_value, EXCLUDED.min_value),
         max_value = GREATEST(s.max_value, EXCLUDED.max_value),
         last_value = CASE WHEN s.last_step IS NULL OR EXCLUDED.last_step >= s.last_step THEN EXCLUDED.last_value ELSE s.last_value END,
         last_time_ms = CASE WHEN s.last_step IS NULL OR EXCLUDED.last_step >= s.last_step THEN EXCLUDED.last_time_ms ELSE s.last_time_ms END,
         last_step = GREATEST(s.last_step, EXCLUDED.last_step)`;

/** Numeric segment rows per group statement: 13 parameters each stays below PostgreSQL's 65,535. */
export const GROUP_SEGMENT_ROWS = 4_000;

/** Rows per multi-row INSERT: 12 parameters each stays far below PostgreSQL's 65,535. */
const SEGMENT_ROWS_PER_STATEMENT = 2_000;

/** The ingestion hot path in SQL: ledger, series summaries and packed segments. */
@Injectable()
export class IngestRepository {
  /** Records (stream, seq) for the run; false when it was already committed (the batch is a retry). */
  async claimBatch(ctx: RequestContext, runId: string, streamId: string, seq: number, points: number): Promise<boolean> {
    const rows = await ctx.em.query(
      `INSERT INTO run_batches (organization_id, run_id, stream_id, seq, points) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id, run_id, stream_id, seq) DO NOTHING RETURNING seq`,
      [ctx.organization.id, runId, streamId, seq, points],
    );
    return rows.length > 0;
  }

  /** Creates missing series and folds the new points into their summaries; returns series ids by kind and name. */
  async upsertSeries(ctx: RequestContext, runId: string, series: SeriesSummary[]): Promise<Map<string, string>> {
    if (!series.length) return new Map();
    const rows: Array<{ id: string; kind: string; name: string }> = await ctx.em.query(
      `INSERT INTO series AS s (organization_id, project_id, run_id, kind, name, count, last_step, last_value, last_time_ms, min_value, max_value)
       SELECT $1, $11::uuid, $2, u.kind, u.name, u.count, u.last_step, u.last_value, u.last_time, u.min_value, u.max_value
         FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::float8[], $8::float8[], $9::float8[], $10::float8[])
              AS u(kind, name, count, last_step, last_value, last_time, min_value, max_value)
       ${FOLD_SUMMARY}
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
        ctx.currentProject.id,
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

  /**
   * Begins a group's transaction in one round trip: the tenant role and
   * organization are LOCAL, so they end with it (see beginScopedTransaction).
   */
  async beginTenant(db: Queryable, organizationId: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(organizationId)) throw new Error('tenant scope needs an organization uuid');
    await db.query(`BEGIN; SET LOCAL ROLE ${TENANT_ROLE}; SELECT set_config('trackbase.org_id', '${organizationId}', true)`);
  }

  /** Ends the transaction beginTenant opened, keeping its writes. */
  async commit(db: Queryable): Promise<void> {
    await db.query('COMMIT');
  }

  /** Ends the transaction beginTenant opened, discarding its writes. */
  async rollback(db: Queryable): Promise<void> {
    await db.query('ROLLBACK');
  }

  /**
   * One statement for a whole group: finds each batch's run (key-share locked,
   * so a run deleted meanwhile is either seen gone or waits for this commit),
   * records every (stream, seq) not yet committed and refreshes the heartbeat
   * of the runs that got new data. Answers in the order of `batches`.
   */
  async claimGroup(db: Queryable, organizationId: string, batches: GroupedBatch[]): Promise<ClaimedBatch[]> {
    const rows: Array<{ idx: number; run_id: string; fresh: boolean }> = await db.query(
      `WITH b AS (
         SELECT * FROM unnest($2::int[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::bigint[], $8::int[])
                AS b(idx, project_id, run_id, number, stream_id, seq, points)),
       r AS (
         SELECT b.idx, runs.id AS rid, b.stream_id, b.seq, b.points
           FROM b JOIN runs ON runs.organization_id = $1 AND runs.project_id = b.project_id
                           AND (runs.id = b.run_id OR runs.number = b.number)
            FOR KEY SHARE OF runs),
       c AS (
         INSERT INTO run_batches (organization_id, run_id, stream_id, seq, points)
         SELECT $1, rid, stream_id, seq, points FROM r ORDER BY idx
         ON CONFLICT (organization_id, run_id, stream_id, seq) DO NOTHING
         RETURNING run_id, stream_id, seq),
       t AS (
         UPDATE runs SET heartbeat_at = now(),
                state = CASE WHEN state = 'crashed' THEN 'running' ELSE state END,
                ended_at = CASE WHEN state = 'crashed' THEN NULL ELSE ended_at END
          WHERE organization_id = $1 AND id IN (SELECT run_id FROM c)
            AND (state = 'crashed' OR heartbeat_at IS NULL OR heartbeat_at < now() - interval '2 seconds'))
       SELECT r.idx, r.rid AS run_id, (c.run_id IS NOT NULL) AS fresh
         FROM r LEFT JOIN c ON c.run_id = r.rid AND c.stream_id = r.stream_id AND c.seq = r.seq`,
      [
        organizationId,
        batches.map((_, i) => i),
        batches.map((b) => b.projectId),
        batches.map((b) => ('id' in b.runRef ? b.runRef.id : null)),
        batches.map((b) => ('number' in b.runRef ? b.runRef.number : null)),
        batches.map((b) => b.streamId),
        batches.map((b) => b.seq),
        batches.map((b) => b.points),
      ],
    );
    const out: ClaimedBatch[] = batches.map(() => ({ runId: null, fresh: false }));
    // The same (run, stream, seq) twice in one group (a retry racing its original): the first is the new one.
    const seen = new Set<string>();
    for (const row of rows.sort((a, b) => a.idx - b.idx)) {
      const key = `${row.run_id}\u0000${batches[row.idx]!.streamId}\u0000${batches[row.idx]!.seq}`;
      out[row.idx] = { runId: row.run_id, fresh: row.fresh && !seen.has(key) };
      seen.add(key);
    }
    return out;
  }

  /**
   * One statement for the numeric data of a group: creates missing series and
   * folds every batch's summary into them (aggregated per series first, in the
   * order the batches arrived, so the result equals applying them one by one),
   * and inserts every segment. Returns the ids of the group's text series.
   */
  async writeGroupSeries(
    db: Queryable,
    organizationId: string,
    rows: Array<SeriesSummary & { runId: string }>,
    segments: Array<{ runId: string; series: PreparedNumeric }>,
  ): Promise<Map<string, string>> {
    if (!rows.length) return new Map();
    const params: unknown[] = [
      organizationId,
      rows.map((_, i) => i),
      rows.map((s) => s.runId),
      rows.map((s) => s.kind),
      rows.map((s) => s.name),
      rows.map((s) => s.count),
      rows.map((s) => s.lastStep),
      rows.map((s) => floatParam(s.lastValue)),
      rows.map((s) => s.lastTime),
      rows.map((s) => floatParam(s.min)),
      rows.map((s) => floatParam(s.max)),
    ];
    const values = segments.map(({ runId, series }, ord) => {
      const seg = series.segment;
      const base = params.length;
      params.push(runId, series.kind, series.name, seg.firstStep, seg.lastStep, seg.count, floatParam(seg.min), floatParam(seg.max));
      params.push(toBytes(seg.steps), toBytes(seg.values), toBytes(seg.times), toBytes(seg.chunks));
      const p = (i: number) => `$${base + i}`;
      return `(${ord}, ${p(1)}::uuid, ${p(2)}::text, ${p(3)}::text, ${p(4)}::bigint, ${p(5)}::bigint, ${p(6)}::int, ${p(7)}::float8, ${p(8)}::float8, ${p(9)}::bytea, ${p(10)}::bytea, ${p(11)}::bytea, ${p(12)}::bytea)`;
    });
    const result: Array<{ id: string; run_id: string; name: string }> = await db.query(
      `WITH u AS (
         SELECT * FROM unnest($2::int[], $3::uuid[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::float8[], $9::bigint[], $10::float8[], $11::float8[])
                AS u(ord, run_id, kind, name, count, last_step, last_value, last_time, min_value, max_value)),
       agg AS (
         SELECT run_id, kind, name, sum(count)::bigint AS count, max(last_step) AS last_step, min(min_value) AS min_value, max(max_value) AS max_value,
                (array_agg(last_value ORDER BY last_step DESC NULLS LAST, ord DESC))[1] AS last_value,
                (array_agg(last_time ORDER BY last_step DESC NULLS LAST, ord DESC))[1] AS last_time
           FROM u GROUP BY run_id, kind, name),
       s AS (
         INSERT INTO series AS s (organization_id, project_id, run_id, kind, name, count, last_step, last_value, last_time_ms, min_value, max_value)
         SELECT $1, r.project_id, agg.run_id, agg.kind, agg.name, agg.count, agg.last_step, agg.last_value, agg.last_time, agg.min_value, agg.max_value
           FROM agg JOIN runs r ON r.id = agg.run_id AND r.organization_id = $1
          ORDER BY agg.run_id, agg.kind, agg.name
         ${FOLD_SUMMARY}
         RETURNING id, run_id, kind, name)${
           values.length
             ? `,
       g AS (
         INSERT INTO series_segments (organization_id, series_id, first_step, last_step, count, min_value, max_value, steps, values, times, chunks)
         SELECT $1, s.id, v.first_step, v.last_step, v.count, v.min_value, v.max_value, v.steps, v.values, v.times, v.chunks
           FROM (VALUES ${values.join(', ')}) AS v(ord, run_id, kind, name, first_step, last_step, count, min_value, max_value, steps, values, times, chunks)
           JOIN s ON s.run_id = v.run_id AND s.kind = v.kind AND s.name = v.name
          ORDER BY v.ord)`
             : ''
         }
       SELECT id, run_id, name FROM s WHERE kind = 'text'`,
      params,
    );
    return new Map(result.map((r) => [`${r.run_id}\u0000${r.name}`, r.id]));
  }

  async insertGroupText(db: Queryable, organizationId: string, seriesId: string, s: PreparedText): Promise<void> {
    await db.query(
      `INSERT INTO text_segments (organization_id, series_id, first_step, last_step, count, steps, times, lines)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [organizationId, seriesId, s.firstStep, s.lastStep, s.steps.length, s.steps, s.times, s.lines],
    );
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
