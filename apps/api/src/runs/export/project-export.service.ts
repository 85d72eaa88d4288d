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
import { InheritedPoints } from './inherited-points';
import { RecordColumns, type RecordCounts, type RunBase } from './record-columns';

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
    private readonly inherited: InheritedPoints,
  ) {}

  async parquet(ctx: RequestContext, filter: string | undefined, response: Response): Promise<void> {
    const bytes = await this.records(ctx, filter);
    response.status(200);
    response.setHeader('content-type', 'application/vnd.apache.parquet');
    response.setHeader('content-disposition', `attachment; filename="${ctx.currentProject.slug}-records.parquet"`);
    await pipeline(Readable.fromWeb(bytes as never), response);
  }

  /** The records as the bytes of one Parquet file, produced as they are read (see `parts`). */
  async records(ctx: RequestContext, filter: string | undefined): Promise<ReadableStream<Uint8Array>> {
    const parts = await this.parts(ctx, filter, Number.POSITIVE_INFINITY);
    return (await parts.next()).value!;
  }

  /**
   * The records as Parquet files of about `rowsPerPart` rows each (cut between batches; at least one file, empty for a
   * project without runs). Each file's bytes are produced as they are read, and a file must be read to its end before
   * the next is asked for. The first page of runs is read before this returns, so a bad filter is a 400, not a broken
   * stream. `counts`, when given, is filled as rows are written.
   */
  async parts(
    ctx: RequestContext,
    filter: string | undefined,
    rowsPerPart: number,
    counts?: RecordCounts,
  ): Promise<AsyncGenerator<ReadableStream<Uint8Array>>> {
    const first = await this.query.list(ctx, { filter, limit: RUNS_PER_PAGE });
    return this.cut(this.batches(ctx, filter, first), rowsPerPart, counts);
  }

  private async *cut(
    batches: AsyncGenerator<RecordColumns>,
    rowsPerPart: number,
    counts: RecordCounts | undefined,
  ): AsyncGenerator<ReadableStream<Uint8Array>> {
    let next = await batches.next();
    let index = 0;
    try {
      while (index === 0 || !next.done) {
        let rows = 0;
        const source = new ReadableStream<RecordBatch>({
          async pull(controller) {
            if (next.done || rows >= rowsPerPart) {
              // A file without rows still carries the schema.
              if (rows === 0) enqueue(controller, new RecordColumns());
              controller.close();
              return;
            }
            const batch = next.value;
            rows += batch.length;
            if (counts) batch.countInto(counts);
            enqueue(controller, batch);
            next = await batches.next();
          },
          async cancel() {
            await batches.return(undefined);
          },
        });
        yield (await transformParquetStream(source, writerProperties())) as ReadableStream<Uint8Array>;
        index++;
      }
    } finally {
      await batches.return(undefined);
    }
  }

  /** Batches of records, run after run; the last may be short (none for a project without runs). */
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
    if (sink.rows.length) yield sink.rows;
  }

  /** Appends one run's records; yields after each piece so the caller can cut a batch. */
  private async *run(ctx: RequestContext, detail: RunDetail, sink: { rows: RecordColumns }): AsyncGenerator<void> {
    const base: RunBase = { project: `${ctx.organization.slug}/${ctx.currentProject.slug}`, runId: detail.id, runKey: detail.key };
    for (const field of RUN_FIELDS)
      if (detail[field] !== null && detail[field] !== undefined) sink.rows.add(base, 'run', field, detail[field]);
    if (detail.fork) {
      // The fork relation; the fork's series rows below are its own points only. A parent in another project is
      // named `<project>/<key>`, as `forkFrom` is written when creating a run.
      sink.rows.add(base, 'run', 'forkFrom', detail.fork.project ? `${detail.fork.project}/${detail.fork.key}` : detail.fork.key);
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
    // A parent in another project is not in this export: the history the fork shows from it (and its ancestors, as far
    // as the caller may read them) travels with the fork.
    if (detail.fork?.project) yield* this.inheritedRows(ctx, base, detail.id, sink);
  }

  private async *inheritedRows(ctx: RequestContext, base: RunBase, runId: string, sink: { rows: RecordColumns }): AsyncGenerator<void> {
    for (const kind of ['metric', 'system', 'text'] as const) {
      for (const series of await this.inherited.series(ctx, runId, kind)) {
        for await (const group of this.inherited.groups(ctx, series, kind)) {
          if (kind === 'text')
            for (let i = 0; i < group.steps.length; i++)
              sink.rows.add(base, 'inherited_text', series.name, group.lines[i]!, group.steps[i]!, group.times[i]!);
          else sink.rows.addSeries(base, `inherited_${kind}`, series.name, group.steps, group.values, group.times);
          yield;
        }
      }
    }
  }
}

function writerProperties() {
  return new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setMaxRowGroupSize(ROWS_PER_BATCH)
    .setCreatedBy('trackbase export')
    .build();
}

function enqueue(controller: ReadableStreamDefaultController<RecordBatch>, rows: RecordColumns): void {
  for (const batch of WasmTable.fromIPCStream(tableToIPC(rows.table(), 'stream')).recordBatches()) controller.enqueue(batch);
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
