import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TABLE_LIMITS, toWireFloat, type TableCell, type TableColumn, type TableColumnStats } from '@trackbase/contracts';
import type { CheckedTable } from './table-document';
import { quoteIdent, TableSql } from './table-sql';

const DUCK_TYPES = { number: 'DOUBLE', string: 'VARCHAR', bool: 'BOOLEAN', image: 'VARCHAR', audio: 'VARCHAR' } as const;

/** Paths we build ourselves (cache directory + hex digest); quoted as a SQL string all the same. */
function quotePath(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

function cell(value: DuckDBValue): TableCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return toWireFloat(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

/**
 * DuckDB, in memory, for the two things tables need: writing a checked table
 * as Parquet, and answering pages, sorts, filters and statistics over a
 * Parquet file on local disk. Each call has its own connection.
 */
@Injectable()
export class TableEngine implements OnModuleDestroy {
  private instance?: Promise<DuckDBInstance>;

  private async connect(): Promise<DuckDBConnection> {
    this.instance ??= DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB', enable_external_access: 'true' });
    return (await this.instance).connect();
  }

  private async using<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  onModuleDestroy(): void {
    void this.instance?.then((i) => i.closeSync()).catch(() => undefined);
  }

  /** The table as Parquet (zstd), its columns named as in the schema. */
  async toParquet(table: CheckedTable): Promise<Buffer> {
    const name = `load_${randomUUID().replace(/-/g, '')}`;
    const file = join(tmpdir(), `trackbase-table-${name}.parquet`);
    return this.using(async (c) => {
      await c.run(`CREATE TABLE ${name} (${table.columns.map((col) => `${quoteIdent(col.name)} ${DUCK_TYPES[col.type]}`).join(', ')})`);
      try {
        const appender = await c.createAppender(name);
        const { columns, data } = table;
        for (let r = 0; r < table.rowCount; r++) {
          for (let k = 0; k < columns.length; k++) {
            const v = data[k]![r];
            if (v === null || v === undefined) appender.appendNull();
            else if (columns[k]!.type === 'number') appender.appendDouble(v as number);
            else if (columns[k]!.type === 'bool') appender.appendBoolean(v as boolean);
            else appender.appendVarchar(v as string);
          }
          appender.endRow();
        }
        appender.closeSync();
        await c.run(`COPY ${name} TO ${quotePath(file)} (FORMAT parquet, COMPRESSION zstd)`);
        return await readFile(file);
      } finally {
        await c.run(`DROP TABLE IF EXISTS ${name}`).catch(() => undefined);
        await rm(file, { force: true });
      }
    });
  }

  /** One page of rows matching `filter`, sorted by `sort`, and how many rows match. */
  async rows(
    path: string,
    columns: TableColumn[],
    query: { filter?: string; sort?: string; limit: number; offset: number },
  ): Promise<{ matchedRows: number; rows: TableCell[][] }> {
    const sql = new TableSql(columns);
    const where = sql.where(query.filter);
    const order = sql.orderBy(query.sort);
    const source = `read_parquet(${quotePath(path)}, file_row_number = true)`;
    const list = columns.map((c) => quoteIdent(c.name)).join(', ');
    return this.using(async (c) => {
      const n = sql.params.length;
      // One pass: the window count rides along with the page.
      const reader = await c.runAndReadAll(
        `SELECT ${list}, count(*) OVER () AS __matched FROM ${source} ${where} ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...sql.params, query.limit, query.offset],
      );
      const raw = reader.getRows();
      let matchedRows = raw.length ? Number(raw[0]![columns.length]) : 0;
      if (!raw.length && query.offset > 0) {
        const count = await c.runAndReadAll(`SELECT count(*) FROM ${source} ${where}`, sql.params);
        matchedRows = Number(count.getRows()[0]![0]);
      }
      return { matchedRows, rows: raw.map((row) => row.slice(0, columns.length).map(cell)) };
    });
  }

  /**
   * The same table of several runs side by side: a full outer join on column
   * `on` (present in each, of one type), ordered by it; each row holds the join
   * value, then every other column of each table in turn (null where a run has
   * no row for that value).
   */
  async compare(
    files: Array<{ path: string; columns: TableColumn[] }>,
    on: string,
    query: { limit: number; offset: number },
  ): Promise<{ matchedRows: number; rows: TableCell[][] }> {
    const key = quoteIdent(on);
    const sources = files.map((f, i) => `t${i} AS (SELECT * FROM read_parquet(${quotePath(f.path)}))`);
    let from = 't0';
    for (let i = 1; i < files.length; i++)
      from += ` FULL OUTER JOIN t${i} ON t${i}.${key} = coalesce(${files
        .slice(0, i)
        .map((_, j) => `t${j}.${key}`)
        .join(', ')})`;
    const joined = `coalesce(${files.map((_, i) => `t${i}.${key}`).join(', ')})`;
    const others = files.flatMap((f, i) => f.columns.filter((c) => c.name !== on).map((c) => `t${i}.${quoteIdent(c.name)}`));
    const width = 1 + others.length;
    return this.using(async (c) => {
      const reader = await c.runAndReadAll(
        `WITH ${sources.join(', ')} SELECT ${[joined, ...others].join(', ')}, count(*) OVER () FROM ${from} ORDER BY 1 NULLS LAST LIMIT $1 OFFSET $2`,
        [query.limit, query.offset],
      );
      const raw = reader.getRows();
      return { matchedRows: raw.length ? Number(raw[0]![width]) : 0, rows: raw.map((row) => row.slice(0, width).map(cell)) };
    });
  }

  /** Per column over the rows matching `filter`: nulls, distinct values, min/max/mean of finite numbers, most frequent values. */
  async stats(path: string, columns: TableColumn[], filter?: string): Promise<{ matchedRows: number; columns: TableColumnStats[] }> {
    const sql = new TableSql(columns);
    const where = sql.where(filter);
    const source = `read_parquet(${quotePath(path)})`;
    return this.using(async (c) => {
      const parts = columns.flatMap((col) => {
        const q = quoteIdent(col.name);
        const base = [`count(*) - count(${q})`, `count(DISTINCT ${q})`];
        if (col.type === 'number') {
          const finite = `CASE WHEN isfinite(${q}) THEN ${q} END`;
          return [...base, `min(${finite})`, `max(${finite})`, `avg(${finite})`];
        }
        return [...base, `min(${q})`, `max(${q})`, 'NULL'];
      });
      const reader = await c.runAndReadAll(`SELECT count(*), ${parts.join(', ')} FROM ${source} ${where}`, sql.params);
      const row = reader.getRows()[0]!;
      const matchedRows = Number(row[0]);
      const stats: TableColumnStats[] = [];
      for (let k = 0; k < columns.length; k++) {
        const col = columns[k]!;
        const [nulls, distinct, min, max, mean] = row.slice(1 + k * 5, 6 + k * 5);
        const top = await c.runAndReadAll(
          `SELECT ${quoteIdent(col.name)} AS v, count(*) AS n FROM ${source} ${where} GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST LIMIT ${TABLE_LIMITS.topValues}`,
          sql.params,
        );
        stats.push({
          name: col.name,
          type: col.type,
          nulls: Number(nulls),
          distinct: Number(distinct),
          min: cell(min ?? null),
          max: cell(max ?? null),
          ...(col.type === 'number' ? { mean: mean === null || mean === undefined ? null : Number(mean) } : {}),
          top: top.getRows().map(([v, n]) => ({ value: cell(v ?? null), count: Number(n) })),
        });
      }
      return { matchedRows, columns: stats };
    });
  }
}
