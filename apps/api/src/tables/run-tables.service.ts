import { Injectable } from '@nestjs/common';
import {
  TABLE_DOCUMENT_CONTENT_TYPE,
  TABLE_LIMITS,
  type CompareTables,
  type CompareTablesQuery,
  type DeclareTablesResponse,
  type TableCell,
  type TableColumn,
  type TableDeclaration,
  type TableList,
  type TableResult,
  type TableRows,
  type TableRowsQuery,
  type TableStats,
} from '@trackbase/contracts';
import { createHash } from 'node:crypto';
import type { RequestContext } from '../common/context/request-context';
import { AppError, notFound } from '../common/errors/app-error';
import { RunsRepository } from '../runs/runs.repository';
import { objectKeys } from '../storage/object-keys';
import { UploadsService } from '../storage/uploads.service';
import { RunTablesRepository, toTableInfo, type RunTableRow } from './run-tables.repository';
import { TableCache } from './table-cache';
import { checkTableDocument } from './table-document';
import { TableEngine } from './table-engine';
import { TableMediaService } from './table-media';
import { invalidTableQuery, tableTooLarge } from './tables.errors';

const PARQUET = 'application/vnd.apache.parquet';

/**
 * Tables logged by runs. The SDK declares each table (key, step, size and
 * SHA-256 of its document); the document goes up through the upload protocol
 * like any file, and the declaration repeated after the upload makes the
 * table: checked, written as Parquet, recorded. Each declaration is answered
 * on its own, so one bad table never keeps the others out.
 */
@Injectable()
export class RunTablesService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly tables: RunTablesRepository,
    private readonly uploads: UploadsService,
    private readonly engine: TableEngine,
    private readonly cache: TableCache,
    private readonly media: TableMediaService,
  ) {}

  async declare(ctx: RequestContext, runRef: string, declared: TableDeclaration[]): Promise<DeclareTablesResponse> {
    const run = await this.runs.find(ctx, runRef);
    const results: TableResult[] = [];
    for (const d of declared) {
      try {
        results.push(await this.declareOne(ctx, run.id, d));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({
          key: d.key,
          step: d.step,
          state: 'rejected',
          error: { code: error.code, message: error.message, status: error.status },
        });
      }
    }
    const rejected = results.filter((r) => r.state === 'rejected');
    if (rejected.length === results.length) {
      // Nothing of the request was taken: answer with the error itself (413 when any table was too large).
      const status = rejected.some((r) => r.error!.status === 413) ? 413 : 400;
      const first = rejected.find((r) => r.error!.status === status) ?? rejected[0]!;
      throw new AppError(
        status,
        first.error!.code,
        first.error!.message,
        rejected.map((r) => ({ path: `tables.${results.indexOf(r)}`, code: r.error!.code, message: r.error!.message })),
      );
    }
    return { tables: results };
  }

  private async declareOne(ctx: RequestContext, runId: string, d: TableDeclaration): Promise<TableResult> {
    if (d.size > TABLE_LIMITS.maxSourceBytes) throw tableTooLarge(`a table document may hold at most ${TABLE_LIMITS.maxSourceBytes} bytes`);
    const existing = await this.tables.find(ctx, runId, d.key, d.step);
    if (existing && existing.source_sha256 === d.sha256) return { key: d.key, step: d.step, state: 'ready', table: toTableInfo(existing) };

    const path = `tables/${d.key}/${d.step}`;
    const [source] = await this.uploads.declare(ctx, { runId }, [
      { path, size: d.size, sha256: d.sha256, contentType: TABLE_DOCUMENT_CONTENT_TYPE },
    ]);
    if (source!.state === 'pending') {
      const { upload } = await this.uploads.result(ctx, path, source!);
      return { key: d.key, step: d.step, state: 'upload', upload };
    }

    const table = checkTableDocument(await this.uploads.readObject(source!));
    await this.media.check(ctx, runId, table);
    const parquet = await this.engine.toParquet(table);
    const prefix = objectKeys.run(ctx.organization.id, ctx.currentProject.id, runId);
    const key = objectKeys.table(prefix, createHash('sha256').update(parquet).digest('hex'));
    const object = await this.uploads.storeServerObject(ctx, { runId }, key, parquet, PARQUET);
    await this.tables.upsert(ctx, {
      runId,
      key: d.key,
      step: d.step,
      // Annotations of image cells live with their column (at most TABLE_LIMITS.annotations), read when a page is resolved.
      columns: table.columns.map((c) => (table.annotations[c.name]?.length ? { ...c, annotations: table.annotations[c.name] } : c)),
      rowCount: table.rowCount,
      objectId: object.id,
      sourceObjectId: source!.id,
      sourceSha256: d.sha256,
    });
    const stored = (await this.tables.find(ctx, runId, d.key, d.step))!;
    return { key: d.key, step: d.step, state: 'ready', table: toTableInfo(stored) };
  }

  async list(ctx: RequestContext, runRef: string): Promise<TableList> {
    const run = await this.runs.find(ctx, runRef);
    return { tables: (await this.tables.list(ctx, run.id)).map(toTableInfo) };
  }

  async rows(ctx: RequestContext, runRef: string, key: string, query: TableRowsQuery): Promise<TableRows> {
    const table = await this.table(ctx, runRef, key, query.step);
    const page = await this.cache.use(table.object_key, Number(table.object_size), (file) =>
      this.engine.rows(file, table.columns, { filter: query.filter, sort: query.sort, limit: query.limit, offset: query.offset }),
    );
    const { media, annotations } = await this.media.resolve(
      ctx,
      table.columns.map((c) => ({ ...c, runId: table.run_id })),
      page.rows,
    );
    return {
      table: toTableInfo(table),
      offset: query.offset,
      ...page,
      ...(media ? { media } : {}),
      ...(annotations ? { annotations } : {}),
    };
  }

  async stats(ctx: RequestContext, runRef: string, key: string, query: Pick<TableRowsQuery, 'step' | 'filter'>): Promise<TableStats> {
    const table = await this.table(ctx, runRef, key, query.step);
    const stats = await this.cache.use(table.object_key, Number(table.object_size), (file) =>
      this.engine.stats(file, table.columns, query.filter),
    );
    return { table: toTableInfo(table), ...stats };
  }

  /** The table `key` of two to four runs joined on column `on` (each run's latest step). */
  async compare(ctx: RequestContext, query: CompareTablesQuery): Promise<CompareTables> {
    const refs = [
      ...new Set(
        query.runs
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      ),
    ];
    if (refs.length < 2 || refs.length > 4) throw invalidTableQuery('compare two to four runs', 'runs');
    const tables = await Promise.all(refs.map((ref) => this.table(ctx, ref, query.key, undefined)));
    const type = tables[0]!.columns.find((c) => c.name === query.on)?.type;
    tables.forEach((t, i) => {
      const column = t.columns.find((c) => c.name === query.on);
      if (!column) throw invalidTableQuery(`the table of ${refs[i]} has no column "${query.on}"`, 'on');
      if (column.type !== type)
        throw invalidTableQuery(`column "${query.on}" holds ${column.type} values in ${refs[i]}, ${type} in ${refs[0]}`, 'on');
    });
    const files: Array<{ path: string; columns: TableColumn[] }> = [];
    const open = async (i: number): Promise<{ matchedRows: number; rows: TableCell[][] }> => {
      if (i === tables.length) return this.engine.compare(files, query.on, query);
      const t = tables[i]!;
      return this.cache.use(t.object_key, Number(t.object_size), (path) => {
        files[i] = { path, columns: t.columns };
        return open(i + 1);
      });
    };
    const page = await open(0);
    const joinColumn = { name: query.on, type: type!, runId: tables[0]!.run_id };
    const { media, annotations } = await this.media.resolve(
      ctx,
      [joinColumn, ...tables.flatMap((t) => t.columns.filter((c) => c.name !== query.on).map((c) => ({ ...c, runId: t.run_id })))],
      page.rows,
    );
    return {
      on: query.on,
      runs: tables.map((t, i) => ({ run: refs[i]!, table: toTableInfo(t) })),
      columns: [
        { name: query.on, type: type! },
        ...tables.flatMap((t, i) =>
          t.columns.filter((c) => c.name !== query.on).map((c) => ({ name: c.name, type: c.type, run: refs[i]! })),
        ),
      ],
      offset: query.offset,
      ...page,
      ...(media ? { media } : {}),
      ...(annotations ? { annotations } : {}),
    };
  }

  private async table(ctx: RequestContext, runRef: string, key: string, step: number | undefined): Promise<RunTableRow> {
    const run = await this.runs.find(ctx, runRef);
    const table = await this.tables.find(ctx, run.id, key, step);
    if (!table) throw notFound('table');
    return table;
  }
}
