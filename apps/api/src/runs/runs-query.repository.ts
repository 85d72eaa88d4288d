import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/context/request-context';
import type { MetricSummaryRef } from './filter/compiler';
import { RUN_COLUMNS, type RunRecord } from './run-row';

export type ListedRow = RunRecord & Record<string, unknown>;

export interface PageQuery {
  /** SELECT-list additions: sort values as text (`sort_i`) and computed columns (`column_i`). */
  select: string;
  where: string;
  orderBy: string;
  limit: number;
  params: unknown[];
}

export interface SummaryRow {
  run_id: string;
  name: string;
  last_value: number | null;
  min_value: number | null;
  max_value: number | null;
  count: string;
  last_step: string | null;
}

/** Above this many matches the total is an estimate, labelled as such. */
export const EXACT_COUNT_LIMIT = 100_000;

/**
 * SQL of the runs table. Each query's shape leaves the planner no plan whose
 * cost depends on table statistics: metric values are read by index probes
 * per run (scalar subqueries), never by a join per metric column.
 */
@Injectable()
export class RunsQueryRepository {
  /** A page of runs in any order the filter language can express. */
  async page(ctx: RequestContext, q: PageQuery): Promise<ListedRow[]> {
    return ctx.em.query(
      `SELECT ${RUN_COLUMNS}, ${q.select}
         FROM runs r
        WHERE r.organization_id = $1 AND r.project_id = $2 AND ${q.where}
        ORDER BY ${q.orderBy}
        LIMIT ${Number(q.limit)}`,
      q.params,
    );
  }

  /**
   * A page of the runs that hold a metric summary, in that summary's order:
   * walks `series_metric_<stat>_idx` (project, name, value, run) and probes
   * each run by primary key (the lateral subquery is never flattened), so the
   * first page costs a page of index entries at 1,000,000 runs. The summary
   * is `s0.v` and the run id `s0.run_id` in `where` and `orderBy`. The project
   * test is written `IS NOT DISTINCT FROM` (the same for a non-null column) so
   * that it stays a filter: as an index condition it would let the planner,
   * before statistics exist, probe the project's (organization_id, project_id, …)
   * unique indexes instead of the primary key.
   */
  async pageByMetric(ctx: RequestContext, metric: MetricSummaryRef, boundName: string, q: PageQuery): Promise<ListedRow[]> {
    return ctx.em.query(
      `SELECT ${RUN_COLUMNS}, ${q.select}
         FROM (SELECT s.run_id, s.${metric.column} AS v
                 FROM series s
                WHERE s.project_id = $2 AND s.kind = 'metric' AND s.name = ${boundName} AND s.${metric.column} IS NOT NULL) s0
        CROSS JOIN LATERAL (
               SELECT ${RUN_COLUMNS}, r.organization_id FROM runs r
                WHERE r.id = s0.run_id AND r.organization_id = $1 AND r.project_id IS NOT DISTINCT FROM $2
               OFFSET 0) r
        WHERE ${q.where}
        ORDER BY ${q.orderBy}
        LIMIT ${Number(q.limit)}`,
      q.params,
    );
  }

  /**
   * The summaries of the named metrics for a page of runs, in one statement:
   * one probe of the (run_id, kind, name) unique index per run and name.
   */
  /** Fork parents of a page's runs (number and project slug, for their keys): one statement by primary key. */
  async forkParents(ctx: RequestContext, parentIds: string[]): Promise<Map<string, { number: number; slug: string }>> {
    if (!parentIds.length) return new Map();
    const rows: Array<{ id: string; number: number; slug: string }> = await ctx.em.query(
      `SELECT fp.id, fp.number, pp.slug FROM runs fp JOIN projects pp ON pp.id = fp.project_id
        WHERE fp.organization_id = $1 AND fp.id = ANY($2::uuid[])`,
      [ctx.organization.id, parentIds],
    );
    return new Map(rows.map((r) => [r.id, { number: r.number, slug: r.slug }]));
  }

  async summaries(ctx: RequestContext, runIds: string[], names: string[]): Promise<SummaryRow[]> {
    if (!runIds.length || !names.length) return [];
    return ctx.em.query(
      `SELECT s.run_id, s.name, s.last_value, s.min_value, s.max_value, s.count, s.last_step
         FROM unnest($2::uuid[]) AS u(run_id)
        CROSS JOIN unnest($3::text[]) AS n(name)
        CROSS JOIN LATERAL (
               SELECT s.* FROM series s
                WHERE s.run_id = u.run_id AND s.kind = 'metric' AND s.name = n.name AND s.organization_id = $1
               OFFSET 0) s`,
      [ctx.organization.id, runIds, names],
    );
  }

  /**
   * Runs matching a filter: exact up to EXACT_COUNT_LIMIT, above it the
   * planner's estimate (never less than the limit), flagged as not exact.
   */
  async count(ctx: RequestContext, where: string, params: unknown[]): Promise<{ count: number; exact: boolean }> {
    const matching = `SELECT 1 FROM runs r WHERE r.organization_id = $1 AND r.project_id = $2 AND ${where}`;
    const [row] = await ctx.em.query(`SELECT count(*)::int AS n FROM (${matching} LIMIT ${EXACT_COUNT_LIMIT + 1}) t`, params);
    const n = Number(row.n);
    if (n <= EXACT_COUNT_LIMIT) return { count: n, exact: true };
    const [plan] = await ctx.em.query(`EXPLAIN (FORMAT JSON) ${matching}`, params);
    const estimate = Number(plan['QUERY PLAN'][0].Plan['Plan Rows']);
    return { count: Math.max(EXACT_COUNT_LIMIT + 1, Math.round(estimate)), exact: false };
  }
}
