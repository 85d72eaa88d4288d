import { Injectable } from '@nestjs/common';
import type { RunList } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import {
  afterCursor,
  compileSort,
  decodeCursor,
  encodeCursor,
  FilterError,
  orderBy,
  parseField,
  parseFilter,
  RunSqlBuilder,
} from './filter';
import type { FieldRef } from './filter/ast';
import type { SortKey } from './filter/sort';
import { toRunDto } from './run-row';
import { RunsQueryRepository, type ListedRow, type SummaryRow } from './runs-query.repository';
import { invalidFilter, invalidSort } from './runs.errors';

export interface ListRunsQuery {
  filter?: string;
  sort?: string;
  columns?: string[];
  limit: number;
  cursor?: string;
}

/** One query's compiled filter, sort and columns; each query gets its own, so bind parameters match its text. */
interface Compiled {
  sql: RunSqlBuilder;
  where: string;
  sort: SortKey[];
  /** Columns computed in the page query (attributes, params); metric columns are looked up after it. */
  computed: Array<{ name: string; sql: string }>;
  metricColumns: Array<{ name: string; metric: string; stat: keyof SummaryStats }>;
}

type SummaryStats = { last: number | null; min: number | null; max: number | null; count: number; step: number | null };

/** The runs table of a project: filter language, sort by any field, chosen columns, keyset pagination, true count. */
@Injectable()
export class RunsQueryService {
  constructor(private readonly repo: RunsQueryRepository) {}

  async list(ctx: RequestContext, query: ListRunsQuery): Promise<RunList> {
    const cursor = query.cursor ? this.guard(invalidSort, () => decodeCursor(query.cursor!)) : null;
    const first = this.compile(ctx, query);
    const metric = first.sql.metricOf(first.sort[0]!.sql);

    let rows: ListedRow[];
    if (!metric) {
      rows = await this.page(ctx, query, cursor, (c) => c, null);
    } else {
      // Runs holding the summary come first (NULLS LAST), read in index order; the rest follow.
      rows = [];
      if (!cursor || cursor[0] !== null) {
        rows = await this.page(
          ctx,
          query,
          cursor,
          (keys) =>
            keys.map((k, i) => (i === 0 ? { ...k, sql: 's0.v', notNull: true } : i === keys.length - 1 ? { ...k, sql: 's0.run_id' } : k)),
          'lead',
        );
      }
      if (rows.length <= query.limit) {
        const rest = await this.page(
          ctx,
          query,
          cursor && cursor[0] === null ? cursor : null,
          (c) => c,
          'rest',
          query.limit + 1 - rows.length,
        );
        rows = rows.concat(rest);
      }
    }

    const page = rows.slice(0, query.limit);
    const summaries = await this.repo.summaries(
      ctx,
      page.map((r) => r.id),
      [...new Set(first.metricColumns.map((c) => c.metric))],
    );
    const byRun = new Map<string, SummaryRow>(summaries.map((s) => [`${s.run_id}\u0000${s.name}`, s]));
    // Fork parents in a second statement by primary key, so the page query's plan stays as it is.
    const parents = await this.repo.forkParents(ctx, [...new Set(page.flatMap((r) => (r.fork_parent_id ? [r.fork_parent_id] : [])))]);
    const last = page.at(-1);
    return {
      items: page.map((row) => {
        const parent = row.fork_parent_id ? parents.get(row.fork_parent_id) : undefined;
        const { params: _params, ...run } = toRunDto(ctx, {
          ...row,
          fork_parent_number: parent?.number ?? null,
          fork_parent_project: parent?.slug ?? null,
        });
        const columns: Record<string, unknown> = {};
        first.computed.forEach((c, i) => (columns[c.name] = row[`column_${i}`] ?? null));
        for (const c of first.metricColumns) {
          const s = byRun.get(`${row.id}\u0000${c.metric}`);
          columns[c.name] = s ? summaryStats(s)[c.stat] : null;
        }
        return { ...run, columns: Object.fromEntries((query.columns ?? []).map((name) => [name, columns[name] ?? null])) };
      }),
      nextCursor: rows.length > query.limit && last ? encodeCursor(first.sort.map((_, i) => last[`sort_${i}`] as unknown)) : null,
      ...(query.cursor ? {} : { total: await this.total(ctx, query) }),
    };
  }

  /**
   * One page query. `lead` walks the leading metric's index (runs holding it),
   * `rest` reads the runs without it, null is any other order.
   */
  private async page(
    ctx: RequestContext,
    query: ListRunsQuery,
    cursor: unknown[] | null,
    rewrite: (keys: SortKey[]) => SortKey[],
    part: 'lead' | 'rest' | null,
    limit = query.limit + 1,
  ): Promise<ListedRow[]> {
    const c = this.compile(ctx, query);
    const metric = c.sql.metricOf(c.sort[0]!.sql);
    const keys = rewrite(c.sort);
    const where = [`(${c.where})`];
    if (cursor) where.push(this.guard(invalidSort, () => afterCursor(keys, cursor, c.sql)));
    if (part === 'rest') where.push(`${c.sort[0]!.sql} IS NULL`);
    const select = [
      // Sort values travel in the cursor as PostgreSQL's own text form, which
      // round-trips exactly (microsecond timestamps, NaN, jsonb) where JSON would not.
      ...keys.map((k, i) => `(${k.sql})::text AS sort_${i}`),
      ...c.computed.map((col, i) => `${col.sql} AS column_${i}`),
    ].join(', ');
    const q = { select, where: where.join(' AND '), orderBy: orderBy(keys), limit, params: c.sql.params };
    try {
      return part === 'lead' && metric
        ? await this.repo.pageByMetric(ctx, metric, c.sql.metricName(metric.name), q)
        : await this.repo.page(ctx, q);
    } catch (error) {
      // Only a forged cursor can carry values PostgreSQL cannot read back; filters bind validated values.
      if (cursor && (error as { driverError?: { code?: string } }).driverError?.code?.startsWith('22'))
        throw invalidSort('cursor is not valid; start again without it');
      throw error;
    }
  }

  /** The true number of runs the filter matches (an estimate, flagged, above a limit). */
  private total(ctx: RequestContext, query: ListRunsQuery) {
    const sql = new RunSqlBuilder([ctx.organization.id, ctx.currentProject.id]);
    return this.repo.count(ctx, this.compileWhere(sql, query), sql.params);
  }

  private compileWhere(sql: RunSqlBuilder, query: ListRunsQuery): string {
    return this.guard(
      (message) => invalidFilter(`filter: ${message}`, [{ path: 'filter', message }]),
      () => {
        const filter = query.filter ? parseFilter(query.filter) : null;
        return filter ? sql.where(filter) : 'TRUE';
      },
    );
  }

  private compile(ctx: RequestContext, query: ListRunsQuery): Compiled {
    const sql = new RunSqlBuilder([ctx.organization.id, ctx.currentProject.id]);
    const where = this.compileWhere(sql, query);
    return this.guard(
      (message) => invalidSort(`sort, columns or cursor: ${message}`),
      () => {
        const sort = compileSort(query.sort ?? '', sql);
        const computed: Compiled['computed'] = [];
        const metricColumns: Compiled['metricColumns'] = [];
        for (const name of new Set(query.columns ?? [])) {
          const field: FieldRef = parseField(name);
          if (field.kind === 'metric') metricColumns.push({ name, metric: field.name, stat: field.stat });
          else computed.push({ name, sql: sql.field(field).sql });
        }
        return { sql, where, sort, computed, metricColumns };
      },
    );
  }

  private guard<T>(error: (message: string) => Error, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FilterError) throw error(e.message);
      throw e;
    }
  }
}

function summaryStats(s: SummaryRow): SummaryStats {
  return {
    last: s.last_value,
    min: s.min_value,
    max: s.max_value,
    count: Number(s.count),
    step: s.last_step === null ? null : Number(s.last_step),
  };
}
