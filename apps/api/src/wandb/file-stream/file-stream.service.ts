import { Injectable } from '@nestjs/common';
import { LIMITS, toWireFloat, type RunBatch, type RunContext } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { BatchService } from '../../runs/ingest/batch.service';
import { RunsRepository } from '../../runs/runs.repository';
import { RunsService } from '../../runs/runs.service';
import { wandbBadRequest, wandbNotFound } from '../wandb.errors';
import { WandbRepository, type WandbRunState } from '../wandb.repository';
import { numericValues, parseConsoleLine, parseLine, timeOf } from './history-lines';
import { mediaValues, type PlacedMediaRef } from './media-values';
import { WandbMediaService, type ReadyTable } from './wandb-media.service';

export const HISTORY_FILE = 'wandb-history.jsonl';
export const EVENTS_FILE = 'wandb-events.jsonl';
export const SUMMARY_FILE = 'wandb-summary.json';
export const CONSOLE_FILE = 'output.log';

export interface FileChunk {
  offset: number;
  content: string[];
}

export interface FileStreamRequest {
  files?: Record<string, FileChunk>;
  complete?: boolean;
  exitcode?: number | null;
}

type Columns = { steps: number[]; values: Array<number | string>; times: number[] };

/**
 * One file_stream POST, applied in one transaction with the run's W&B state
 * row locked. Every file's `offset` is the index of its first line in the
 * whole file; lines below the count already applied are retries and change
 * nothing (history, events) or overwrite the line at that offset (console:
 * progress bars redraw a line with `\r`). New lines become one Trackbase
 * batch (metric, system and text series), numbered by the state row, so the
 * existing ingestion path and its ledger do the writing.
 */
@Injectable()
export class FileStreamService {
  constructor(
    private readonly runs: RunsService,
    private readonly runRows: RunsRepository,
    private readonly batches: BatchService,
    private readonly repository: WandbRepository,
    private readonly media: WandbMediaService,
  ) {}

  async apply(ctx: RequestContext, runName: string, body: FileStreamRequest): Promise<{ stopped: boolean }> {
    const run = await this.runRows.findByExternalId(ctx, runName);
    if (!run) throw wandbNotFound(`run ${runName}`);
    const state = await this.repository.lockState(ctx, run.id);
    const now = Date.now();
    const files = body.files ?? {};
    const batch: RunBatch = { streamId: 'wandb', seq: Number(state.batch_seq) };
    const save: Parameters<WandbRepository['saveState']>[2] = {};
    let tables: ReadyTable[] = [];

    const history = this.fresh(files[HISTORY_FILE], state.history_lines);
    if (history) {
      // Steps only move forward (as in W&B): a row at a step already recorded is not applied again,
      // which is what a second `wandb sync` of the same run sends (at new offsets).
      let lastStep = stepOfRow(state.history_tail ? parseLine(state.history_tail) : null, -1);
      const refs: PlacedMediaRef[] = [];
      batch.metrics = toSeries(history.lines, history.first, (row, index) => {
        const step = stepOfRow(row, index);
        if (step <= lastStep) return null;
        lastStep = step;
        const time = timeOf(row, now);
        refs.push(...mediaValues(row).map((ref) => ({ ...ref, step, time })));
        return step;
      });
      if (refs.length) {
        const resolved = await this.media.resolve(ctx, run.id, refs);
        if (resolved.media.length) batch.media = resolved.media;
        tables = resolved.tables;
      }
      save.history_lines = history.end;
      save.history_tail = history.lines.at(-1) ?? null;
    }
    const events = this.fresh(files[EVENTS_FILE], state.events_lines);
    if (events) {
      batch.system = toSeries(
        events.lines,
        events.first,
        (_row, index) => index,
        (name) => name.replace(/^system\./, ''),
      );
      save.events_lines = events.end;
      save.events_tail = events.lines.at(-1) ?? null;
    }
    const summaryLines = files[SUMMARY_FILE]?.content;
    if (summaryLines?.length) {
      const summary = parseLine(summaryLines.at(-1)!);
      if (summary) {
        save.summary = summary;
        batch.context = { summary } as RunContext;
      }
    }
    const console = files[CONSOLE_FILE];
    if (console) {
      checkChunk(CONSOLE_FILE, console);
      const overwrites: Array<{ step: number; line: string; stream: 'stdout' | 'stderr'; time: number }> = [];
      const appended: typeof overwrites = [];
      console.content.forEach((raw, i) => {
        const step = console.offset + i;
        const line = parseConsoleLine(raw, now);
        const entry = { step, line: line.text.slice(0, LIMITS.textLineLength), stream: line.stream, time: line.time };
        (step < state.console_lines ? overwrites : appended).push(entry);
      });
      const missing = new Set(await this.repository.overwriteConsoleLines(ctx, run.id, overwrites));
      const lines = [...overwrites.filter((l) => missing.has(l.step)), ...appended];
      if (lines.length) {
        batch.text = (['stdout', 'stderr'] as const).flatMap((stream) => {
          const own = lines.filter((l) => l.stream === stream);
          return own.length
            ? [{ name: stream, steps: own.map((l) => l.step), times: own.map((l) => l.time), lines: own.map((l) => l.line) }]
            : [];
        });
      }
      save.console_lines = Math.max(state.console_lines, console.offset + console.content.length);
    }

    if (batch.metrics?.length || batch.system?.length || batch.text?.length || batch.context || batch.media?.length) {
      const ack = await this.batches.apply(ctx, run.id, batch);
      this.media.reportRefused(run.id, ack.media?.refused);
      save.batch_seq = batch.seq + 1;
    } else {
      await this.runs.heartbeat(ctx, run.id);
    }
    await this.repository.saveState(ctx, run.id, save);
    await this.media.storeTables(ctx, run.id, tables);

    // Stopped from the web app (or by anyone with the API): the client stops the run when told.
    const stopped = run.state === 'aborted';
    if (body.complete && !stopped) {
      await this.runs.update(ctx, run.id, { state: (body.exitcode ?? 0) === 0 ? 'finished' : 'failed' });
    }
    return { stopped };
  }

  /** The lines of a chunk not applied yet, with the index of the first and the count after them. */
  private fresh(chunk: FileChunk | undefined, applied: number): { lines: string[]; first: number; end: number } | null {
    if (!chunk) return null;
    checkChunk('file', chunk);
    const end = chunk.offset + chunk.content.length;
    if (end <= applied) return null;
    const skip = Math.max(0, applied - chunk.offset);
    return { lines: chunk.content.slice(skip), first: chunk.offset + skip, end };
  }
}

function stepOfRow(row: Record<string, unknown> | null, fallback: number): number {
  const step = row?._step;
  return typeof step === 'number' && Number.isSafeInteger(step) && step >= 0 ? step : fallback;
}

function checkChunk(name: string, chunk: FileChunk): void {
  if (!Number.isSafeInteger(chunk.offset) || chunk.offset < 0 || !Array.isArray(chunk.content)) {
    throw wandbBadRequest(`${name}: offset must be a non-negative integer and content a list of lines`);
  }
  if (chunk.content.some((line) => typeof line !== 'string')) throw wandbBadRequest(`${name}: every line must be a string`);
}

const NAME_OK = (name: string) =>
  name.length > 0 && name.length <= LIMITS.seriesNameLength && ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

function toSeries(
  lines: string[],
  first: number,
  stepOf: (row: Record<string, unknown>, index: number) => number | null,
  rename: (name: string) => string = (name) => name,
): NonNullable<RunBatch['metrics']> {
  const series = new Map<string, Columns>();
  lines.forEach((line, i) => {
    const row = parseLine(line);
    if (!row) return;
    const step = stepOf(row, first + i);
    if (step === null) return;
    const time = timeOf(row, Date.now());
    for (const [rawName, value] of numericValues(row)) {
      const name = rename(rawName);
      if (!NAME_OK(name)) continue;
      const columns = series.get(name) ?? { steps: [], values: [], times: [] };
      columns.steps.push(step);
      columns.values.push(toWireFloat(value));
      columns.times.push(time);
      series.set(name, columns);
    }
  });
  return [...series.entries()].map(([name, c]) => ({ name, ...c })) as NonNullable<RunBatch['metrics']>;
}

export type { WandbRunState };
