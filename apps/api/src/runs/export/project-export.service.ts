import { Injectable } from '@nestjs/common';
import type { RunDetail } from '@trackbase/contracts';
import { tableToIPC } from 'apache-arrow';
import type { Response } from 'express';
import { Compression, Table as WasmTable, transformParquetStream, WriterPropertiesBuilder, type RecordBatch } from 'parquet-wasm';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../../common/context/request-context';
import { RunsQueryService } from '../runs-query.service';
import { RunsService } from '../runs.service';
import { SeriesExport } from '../series/series-export';
import { SeriesRepository } from '../series/series.repository';
import { RecordColumns, type RunBase } from './record-columns';

/** Rows per Arrow batch handed to the Parquet writer (and per row group): bounds memory and each synchronous write. */
export const ROWS_PER_BATCH = 64 * 1024;
const RUNS_PER_PAGE = 200;
const RUN_FIELDS = ['key', 'name', 'externalId', 'state', 'createdAt', 'startedAt', 'endedAt', 'description', 'notes'] as const;

/**
 * The project's long-format records (docs/export-format.md) as one Parquet file, streamed: runs are read a page at a
 * time and series a group of segments at a time, and batches of at most ROWS_PER_BATCH rows go to the writer (the
 * Rust `parquet` crate in WebAssembly, zstd) as they fill, so memory holds a batch and a row group, never the project.
 * The records are those the Python CLI's client-side export writes, value for value.
 */
@Injectable()
export class ProjectExport {
  constructor(
    private readonly query: RunsQueryService,
    private readonly runs: RunsService,
    private readonly series: SeriesRepository,
    private readonly points: SeriesExport,
  ) {}

  async parquet(ctx: RequestContext, filter: string | undefined, response: Response): Promise<void> {
    // The first page is read before the answer starts, so a bad filter is a 400, not a broken stream.
    const first = await this.query.list(ctx, { filter, limit: RUNS_PER_PAGE });
    const batches = this.batches(ctx, filter, first);
    let sent = false;
    const source = new ReadableStream<RecordBatch>({
      async pull(controller) {
        const next = await batches.next();
        if (next.done) {
          controller.close();
          return;
        }
        // An empty project still gets one (empty) batch, so the file carries the schema.
        if (next.value.length === 0 && sent) return;
        sent = true;
        for (const batch of WasmTable.fromIPCStream(tableToIPC(next.value.table(), 'stream')).recordBatches()) controller.enqueue(batch);
      },
      async cancel() {
        await batches.return(undefined);
      },
    });
    const properties = new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setMaxRowGroupSize(ROWS_PER_BATCH)
      .setCreatedBy('trackbase export')
      .build();
    const bytes = await transformParquetStream(source, properties);
    response.status(200);
    response.setHeader('content-type', 'application/vnd.apache.parquet');
    response.setHeader('content-disposition', `attachment; filename="${ctx.currentProject.slug}-records.parquet"`);
    await pipeline(Readable.fromWeb(bytes as never), response);
  }

  /** Batches of records, run after run; the last may be short (or empty, for a project without runs). */
  private async *batches(
    ctx: RequestContext,
    filter: string | undefined,
    page: Awaited<ReturnType<RunsQueryService['list']>>,
  ): AsyncGenerator<RecordColumns> {
    // The run generator appends to `sink.rows`, which is replaced by a new batch each time one is cut.
    const sink = { rows: new RecordColumns() };
    for (;;) {
      for (const item of page.items) {
        const detail = await this.runs.get(ctx, item.id);
        for await (const _ of this.run(ctx, detail, sink)) {
          if (sink.rows.length >= ROWS_PER_BATCH) {
            yield sink.rows;
            sink.rows = new RecordColumns();
          }
        }
      }
      if (!page.nextCursor) break;
      page = await this.query.list(ctx, { filter, limit: RUNS_PER_PAGE, cursor: page.nextCursor });
    }
    yield sink.rows;
  }

  /** Appends one run's records; yields after each piece so the caller can cut a batch. */
  private async *run(ctx: RequestContext, detail: RunDetail, sink: { rows: RecordColumns }): AsyncGenerator<void> {
    const base: RunBase = { project: `${ctx.organization.slug}/${ctx.currentProject.slug}`, runId: detail.id, runKey: detail.key };
    for (const field of RUN_FIELDS)
      if (detail[field] !== null && detail[field] !== undefined) sink.rows.add(base, 'run', field, detail[field]);
    if (detail.fork) {
      // The fork relation; the fork's series rows below are its own points only.
      sink.rows.add(base, 'run', 'forkFrom', detail.fork.key);
      sink.rows.add(base, 'run', 'forkStep', detail.fork.step);
    }
    for (const tag of detail.tags) sink.rows.add(base, 'tag', tag);
    if (detail.context && Object.keys(detail.context).length) sink.rows.add(base, 'run', 'context', wire(detail.context));
    for (const asset of detail.inputs ?? []) sink.rows.add(base, 'input', String(asset.name ?? ''), wire(asset));
    for (const asset of detail.outputs ?? []) sink.rows.add(base, 'output', String(asset.name ?? ''), wire(asset));
    for (const [path, value] of flat(detail.params ?? {})) sink.rows.add(base, 'param', path, value);
    yield;
    for (const summary of detail.series) {
      const [series] = await this.series.findSeries(ctx, [detail.id], summary.kind, [summary.name]);
      if (!series) continue;
      if (summary.kind === 'text') {
        for await (const group of this.points.textGroups(ctx, series.id)) {
          for (let i = 0; i < group.steps.length; i++)
            sink.rows.add(base, 'text', summary.name, group.lines[i]!, group.steps[i]!, group.times[i]!);
          yield;
        }
      } else {
        const record = summary.kind === 'metric' ? 'metric' : 'system';
        for await (const group of this.points.pointGroups(ctx, series.id)) {
          sink.rows.addSeries(base, record, summary.name, group.steps, group.values, group.times);
          yield;
        }
      }
    }
  }
}

/** A value as the JSON answer carries it (dates as ISO strings, undefined fields gone). */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Params by dotted path, as the CLI flattens the answer's (already flat, but a non-empty object value would nest). */
function flat(value: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(value).flatMap(([key, item]): Array<[string, unknown]> => {
    const path = `${prefix}${key}`;
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length)
      return flat(item as Record<string, unknown>, `${path}.`);
    return [[path, item]];
  });
}
