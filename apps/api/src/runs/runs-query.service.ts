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
import { RUN_COLUMNS, toRunDto, type RunRecord } from './run-row';
import { invalidFilter, invalidSort } from './runs.errors';

export interface ListRunsQuery {
  filter?: string;
  sort?: string;
  columns?: string[];
  limit: number;
  cursor?: string;
}

/** The runs table of a project: filter language, sort by any field, chosen columns, keyset pagination. */
@Injectable()
export class RunsQueryService {
  async list(ctx: RequestContext, query: ListRunsQuery): Promise<RunList> {
    const sql = new RunSqlBuilder([ctx.organization.id, ctx.currentProject.id]);
    let where = 'TRUE';
    try {
      const filter = query.filter ? parseFilter(query.filter) : null;
      if (filter) where = sql.where(filter);
    } catch (error) {
      if (error instanceof FilterError) throw invalidFilter(`filter: ${error.message}`, [{ path: 'filter', message: error.message }]);
      throw error;
    }
    let sort;
    let columns: Array<{ name: string; sql: string }>;
    let cursorWhere = 'TRUE';
    try {
      sort = compileSort(query.sort ?? '', sql);
      columns = (query.columns ?? []).map((name) => ({ name, sql: sql.field(parseField(name)).sql }));
      if (query.cursor) cursorWhere = afterCursor(sort, decodeCursor(query.cursor), sql);
    } catch (error) {
      if (error instanceof FilterError) throw invalidSort(`sort, columns or cursor: ${error.message}`);
      throw error;
    }
    const select = (joins: string[], extra: string, limit: number) =>
      ctx.em
        // Sort values travel in the cursor as PostgreSQL's own text form, which
        // round-trips exactly (microsecond timestamps, NaN, jsonb) where JSON would not.
        .query(
          `SELECT ${RUN_COLUMNS},
                  ${sort.map((k, i) => `(${k.sql})::text AS sort_${i}`).join(', ')}
                  ${columns.map((c, i) => `, ${c.sql} AS column_${i}`).join('')}
             FROM runs r ${joins.join(' ')}
            WHERE r.organization_id = $1 AND r.project_id = $2 AND (${where}) AND ${cursorWhere} ${extra}
            ORDER BY ${orderBy(sort)}
            LIMIT ${limit}`,
          sql.params,
        )
        .catch((error: { driverError?: { code?: string } }) => {
          // Only a forged cursor can carry values PostgreSQL cannot read back; filters bind validated values.
          if (query.cursor && error.driverError?.code?.startsWith('22')) throw invalidSort('cursor is not valid; start again without it');
          throw error;
        }) as Promise<Array<RunRecord & Record<string, unknown>>>;

    // Sorted by a metric, runs that have it come first (NULLS LAST). Asking for
    // those with an inner join lets PostgreSQL walk the metric's index and stop
    // after a page; runs without the metric follow from a second query.
    const metric = sql.metricAlias(sort[0]!.sql);
    let rows: Array<RunRecord & Record<string, unknown>>;
    if (metric) {
      rows = await select(sql.joins(metric), '', query.limit + 1);
      if (rows.length <= query.limit)
        rows = rows.concat(await select(sql.joins(), `AND ${metric}.id IS NULL`, query.limit + 1 - rows.length));
    } else {
      rows = await select(sql.joins(), '', query.limit + 1);
    }
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => {
        const { params: _params, ...run } = toRunDto(ctx, row);
        return { ...run, columns: Object.fromEntries(columns.map((c, i) => [c.name, row[`column_${i}`] ?? null])) };
      }),
      nextCursor: rows.length > query.limit && last ? encodeCursor(sort.map((_, i) => last[`sort_${i}`])) : null,
    };
  }
}
