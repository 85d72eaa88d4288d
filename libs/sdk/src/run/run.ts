import {
  LIMITS,
  TABLE_LIMITS,
  toWireFloat,
  type WireFloat,
  type AssetRef,
  type ParamValue,
  type RunBatch,
  type RunContext,
  type RunState,
  type StoredFile,
} from '@trackbase/contracts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { TrackbaseApi } from '../client/api';
import { TrackbaseApiError, TrackbaseOfflineError, TrackbaseUnavailableError } from '../client/errors';
import {
  logArtifactFiles,
  logArtifactReference,
  type ArtifactReference,
  type LogArtifactOptions,
  type LoggedVersion,
} from '../artifacts/log-artifact';
import { downloadArtifact, useArtifact, type UseArtifactOptions } from '../artifacts/use-artifact';
import type { FilesSpec } from '../files/local-files';
import type { TransferOptions } from '../files/upload-files';
import { uploadRunDir, uploadRunFile, type RunScope } from './run-file-uploads';
import { backoffDelay, DEFAULT_BACKOFF } from '../client/backoff';
import { sleep } from '../client/http';
import type { Mode } from '../config';
import { BatchBuffer } from '../journal/entries';
import { isRetryableTransferError } from '../client/transfer/store-errors';
import { pendingTables, saveTable, sendPendingTable } from '../tables/pending-tables';
import { Table } from '../tables/table';
import { batchFromEntries, Journal, runsDir, type JournalMeta } from '../journal/journal';
import { checkFinishArguments, checkObject, checkStep, checkStrings, checkValues } from './arguments';
import { deliverBatch, DeliveryStoppedError, type DroppedValue } from './deliver-batch';
import { ensureRun } from './sync-journal';
import { isMedia, type Media } from '../media/media';
import { journalItem, refusedMediaOf, storeBlob, uploadBatchMedia } from '../media/media-store';

/** Refused values logged one by one; beyond this only counted. */
const MAX_REPORTED = 20;
/** Media items buffered before a batch is cut (their objects are uploaded before it is sent). */
const MAX_BUFFERED_MEDIA = 256;

/** What `log` takes under a name: a number, a media value, or a list of media (a batch of samples). */
export type Loggable = number | Media | Media[];

export interface RunOptions {
  flushIntervalMs: number;
  /** Cut a batch early once this many points are buffered. */
  maxBufferedPoints: number;
  /** Points of unsent batches kept in memory while the server is unreachable; the rest are re-read from the journal. */
  maxQueuedPoints: number;
  heartbeatIntervalMs: number;
  log: (message: string) => void;
}

interface Queued {
  seq: number;
  points: number;
  batch: RunBatch | null;
  /** Where the batch's entries sit in the journal, to re-read them when not kept in memory. */
  start: number;
  end: number;
}

export type FinalState = Exclude<RunState, 'running' | 'crashed'>;

export interface FinishResult {
  /** True when the server has everything that was logged and the final state. */
  delivered: boolean;
  /** Batches left in the journal for `trackbase sync`. */
  remainingBatches: number;
  /** Values the server refused for good, dropped so that everything else could be delivered. */
  dropped: DroppedValue[];
}

/**
 * A run being logged. Every call appends to the journal first, then to
 * columnar buffers that a background loop cuts into batches and sends; the
 * journal records which batches the server acknowledged.
 */
export class Run {
  private buffer = new BatchBuffer();
  private readonly queue: Queued[] = [];
  private nextSeq: number;
  /** Journal position where the entries of the next batch begin. */
  private batchStart: number;
  private step = 0;
  private sending: Promise<void> | null = null;
  private flushTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private lastSentAt = 0;
  private finished = false;
  private readonly dropped: DroppedValue[] = [];
  private readonly cleanups: Array<() => void> = [];

  private constructor(
    private meta: JournalMeta,
    private readonly journal: Journal | null,
    private readonly api: TrackbaseApi | null,
    readonly mode: Mode,
    private readonly options: RunOptions,
    nextSeq = 0,
  ) {
    this.nextSeq = nextSeq;
    this.batchStart = journal?.position ?? 0;
  }

  static start(args: {
    api: TrackbaseApi | null;
    mode: Mode;
    dataDir: string;
    org: string;
    project: string;
    name?: string;
    externalId?: string;
    runId?: string;
    fork?: { from: string; step: number };
    options: RunOptions;
  }): Run {
    const localId = randomUUID();
    const meta: JournalMeta = {
      localId,
      org: args.org,
      project: args.project,
      streamId: `${hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 30)}.${process.pid}.${localId.slice(0, 8)}`,
      externalId: args.externalId ?? `local-${localId}`,
      ...(args.runId ? { runId: args.runId } : {}),
      ...(args.name ? { name: args.name } : {}),
      ...(args.fork ? { fork: args.fork } : {}),
      createdAt: new Date().toISOString(),
      mode: args.mode,
    };
    const journal = args.mode === 'disabled' ? null : Journal.create(join(runsDir(args.dataDir), localId), meta);
    const run = new Run(meta, journal, args.api, args.mode, args.options);
    // A fork continues after the step it inherits through.
    if (args.fork) run.step = args.fork.step + 1;
    if (args.mode === 'async') {
      run.flushTimer = setInterval(() => run.flush(), args.options.flushIntervalMs);
      run.flushTimer.unref();
      run.heartbeatTimer = setInterval(() => void run.heartbeat(), args.options.heartbeatIntervalMs);
      run.heartbeatTimer.unref();
    }
    return run;
  }

  /** Creates the run on the server (or joins it by external id). Offline runs do this at `trackbase sync`. */
  async connect(): Promise<void> {
    if (!this.api || this.mode === 'offline' || this.mode === 'disabled') return;
    this.meta = await ensureRun(this.api, this.meta);
    this.journal?.updateMeta(this.meta);
  }

  get id(): string | undefined {
    return this.meta.runId;
  }
  get key(): string | undefined {
    return this.meta.runKey;
  }
  get url(): string | undefined {
    return this.meta.runUrl;
  }
  get dir(): string | undefined {
    return this.journal?.dir;
  }
  /** Batches the server has not acknowledged yet. */
  get backlog(): number {
    return this.queue.length;
  }

  onFinish(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /**
   * Logs one value (`log('loss', 0.3)`) or many (`log({loss: 0.3, acc: 0.9})`) at a step (default: one past the last).
   * Media values are encoded now and uploaded in the background; a `Table` is saved beside the journal and
   * uploaded in the background.
   */
  log(values: Record<string, Loggable | Table>, step?: number): Promise<void>;
  log(name: string, value: Loggable | Table, step?: number): Promise<void>;
  log(a: Record<string, Loggable | Table> | string, b?: Loggable | Table | number, c?: number): Promise<void> {
    const all = typeof a === 'string' ? { [a]: b! } : a;
    const step = typeof a === 'string' ? c : (b as number | undefined);
    checkStep('log(values, step)', step);
    const numbers: Record<string, number> = {};
    const media: Array<[string, Media[]]> = [];
    const tables: Array<[string, Table]> = [];
    if (all && typeof all === 'object' && !Array.isArray(all)) {
      for (const [name, value] of Object.entries(all)) {
        if (value instanceof Table) tables.push([name, value]);
        else if (isMedia(value)) media.push([name, Array.isArray(value) ? value : [value]]);
        else numbers[name] = value as number;
      }
    }
    checkValues('log(values, step)', media.length || tables.length ? numbers : all);
    if (!tables.length) return media.length ? this.recordMedia(numbers, media, step) : this.record('metric', numbers, step);
    if (this.mode === 'disabled' || this.finished) return Promise.resolve();
    const s = step ?? this.step;
    for (const [key, table] of tables) this.logTable(key, table, s);
    let recorded: Promise<void>;
    if (media.length) recorded = this.recordMedia(numbers, media, s);
    else if (Object.keys(numbers).length) recorded = this.record('metric', numbers, s);
    else {
      this.step = Math.max(this.step, s + 1);
      recorded = Promise.resolve();
    }
    return this.mode === 'sync' ? recorded.then(() => this.drainTables()) : recorded;
  }

  /**
   * Numbers and media at one step. Each media value is encoded now and its
   * bytes stored beside the journal before the journal names it, so a crash
   * loses nothing; uploads happen in the background before the batch is sent.
   * A value that cannot be encoded throws before anything is logged.
   */
  private recordMedia(numbers: Record<string, number>, media: Array<[string, Media[]]>, step?: number): Promise<void> {
    if (this.mode === 'disabled' || this.finished) return Promise.resolve();
    const s = step ?? this.step;
    this.step = Math.max(this.step, s + 1);
    const ts = Date.now();
    const entries = media.flatMap(([name, values]) =>
      values.map((value, index) => journalItem(this.journal!.dir, value, name, s, ts, index)),
    );
    if (Object.keys(numbers).length) {
      const wire = Object.fromEntries(Object.entries(numbers).map(([n, v]) => [n, toWireFloat(v)]));
      this.journal!.append({ t: 'm', k: 'metric', s, ts, v: wire });
      this.buffer.addPoints('metric', s, ts, wire);
    }
    for (const entry of entries) {
      this.journal!.append(entry);
      this.buffer.apply(entry);
    }
    return this.afterRecord();
  }

  /** Saves the table's document beside the journal (it survives a crash) and sends it in the background. */
  private logTable(key: string, table: Table, step: number): void {
    if (!key || key.length > TABLE_LIMITS.keyLength)
      throw new TypeError(`trackbase: log(values, step): table key must be 1 to ${TABLE_LIMITS.keyLength} characters`);
    // Media cells' contents first, so the marker never names an object that is not on disk.
    const dir = this.journal!.dir;
    const media = table.media.map((m) => {
      storeBlob(dir, m.bytes);
      return { path: m.sha256, sha256: m.sha256, size: m.bytes.length, contentType: m.contentType };
    });
    saveTable(dir, key, step, table.toDocument(), media);
    if (this.mode !== 'offline') this.kickTables();
  }

  private tableSending: Promise<void> | null = null;

  private kickTables(): void {
    this.tableSending ??= this.sendTables().finally(() => {
      this.tableSending = null;
    });
  }

  /** Sends pending tables one by one; a server that cannot be reached leaves them for a later attempt or `trackbase sync`. */
  private async sendTables(): Promise<void> {
    const api = this.api;
    if (!api || !this.journal) return;
    for (let attempt = 0; ;) {
      const pending = pendingTables(this.journal.dir);
      if (!pending.length) return;
      try {
        if (!this.meta.runId) await this.connect();
        const result = await sendPendingTable(
          api,
          { org: this.meta.org, project: this.meta.project, run: this.meta.runId! },
          this.journal.dir,
          pending[0]!,
        );
        if (result.state === 'rejected') {
          const { code, message, status } = result.error!;
          this.report({ key: `table ${result.key} at step ${result.step}`, code, message, status });
        }
        attempt = 0;
      } catch (error) {
        if (!(error instanceof TrackbaseUnavailableError) && !isRetryableTransferError(error)) {
          this.options.log(
            `trackbase: could not upload table ${pending[0]!.key}: ${(error as Error).message}; \`trackbase sync\` will retry`,
          );
          return;
        }
        if (this.finished && this.stopSending) return;
        if (++attempt > 8) return;
        await sleep(backoffDelay(attempt, DEFAULT_BACKOFF));
      }
    }
  }

  /** Waits until every logged table was delivered or refused (or sending gave up for now). */
  private async drainTables(): Promise<void> {
    if (!this.journal || this.mode === 'offline') return;
    this.kickTables();
    await this.tableSending;
  }

  /** System metrics (cpu, memory, gpu...) under their own namespace. */
  logSystem(values: Record<string, number>, step: number): Promise<void> {
    checkValues('logSystem(values, step)', values);
    checkStep('logSystem(values, step)', step);
    return this.record('system', values, step);
  }

  logText(name: string, line: string, step?: number): Promise<void> {
    checkStrings('logText(name, line, step)', [name]);
    if (typeof line !== 'string') throw new TypeError(`trackbase: logText(name, line, step): line must be a string`);
    checkStep('logText(name, line, step)', step);
    if (this.mode === 'disabled' || this.finished) return Promise.resolve();
    const s = step ?? this.step++;
    const ts = Date.now();
    const text = line.length > LIMITS.textLineLength ? line.slice(0, LIMITS.textLineLength) : line;
    this.journal!.append({ t: 'x', n: name, s, ts, l: text });
    this.buffer.addText(name, s, ts, text);
    return this.afterRecord();
  }

  logParams(params: Record<string, ParamValue>): Promise<void> {
    checkObject('logParams(params)', params);
    return this.entry({ t: 'params', v: params });
  }
  /** An alias of logParams, for users coming from W&B's `config`. */
  logConfig(config: Record<string, ParamValue>): Promise<void> {
    return this.logParams(config);
  }
  addTags(...tags: string[]): Promise<void> {
    checkStrings('addTags(...tags)', tags);
    return this.entry({ t: 'tags', add: tags });
  }
  removeTags(...tags: string[]): Promise<void> {
    checkStrings('removeTags(...tags)', tags);
    return this.entry({ t: 'tags', remove: tags });
  }
  setContext(context: RunContext): Promise<void> {
    return this.entry({ t: 'ctx', v: context });
  }
  logInput(asset: AssetRef): Promise<void> {
    return this.entry({ t: 'io', d: 'input', v: asset });
  }
  logOutput(asset: AssetRef): Promise<void> {
    return this.entry({ t: 'io', d: 'output', v: asset });
  }

  async setNotes(notes: string): Promise<void> {
    if (!this.api || this.mode === 'offline' || this.mode === 'disabled' || !this.meta.runId) return;
    await this.api.updateRun(this.meta.org, this.meta.project, this.meta.runId, { notes });
  }

  /** Uploads a file to the run (default name: its base name). Offline runs throw; disabled runs do nothing. */
  uploadFile(localPath: string, remotePath?: string, options?: TransferOptions): Promise<StoredFile | undefined> {
    return this.online('uploadFile', (scope) => uploadRunFile(scope, localPath, remotePath, options));
  }
  /** Uploads every file below `localDir` under `remotePrefix`, keeping relative paths. */
  uploadDir(localDir: string, remotePrefix?: string, options?: TransferOptions): Promise<StoredFile[] | undefined> {
    return this.online('uploadDir', (scope) => uploadRunDir(scope, localDir, remotePrefix, options));
  }
  /** Logs a version of an artifact produced by this run: a path, paths, or `{ remotePath: localPath }`. */
  logArtifact(
    name: string,
    kind: string,
    files: FilesSpec,
    options: Omit<LogArtifactOptions, 'run'> = {},
  ): Promise<LoggedVersion | undefined> {
    return this.online('logArtifact', (scope) => logArtifactFiles(scope, name, kind, files, { ...options, run: scope.run }));
  }
  /** Logs a version that points at data outside Trackbase (`s3://…`, `https://…`), identified by its digest. */
  logArtifactReference(
    name: string,
    kind: string,
    reference: ArtifactReference,
    options: Pick<LogArtifactOptions, 'aliases' | 'metadata' | 'description'> = {},
  ): Promise<LoggedVersion | undefined> {
    return this.online('logArtifactReference', (scope) =>
      logArtifactReference(scope, name, kind, reference, { ...options, run: scope.run }),
    );
  }
  /**
   * Downloads a version (`'name:alias'`, `'name:v3'`) into the cache, records
   * that this run used it, and returns the directory of its files. Offline and
   * disabled runs still download (with the configured key) but record nothing.
   */
  async useArtifact(ref: string, options: Omit<UseArtifactOptions, 'run'> = {}): Promise<string> {
    if (this.mode === 'offline' || this.mode === 'disabled' || !this.api) {
      return useArtifact(ref, { ...(this.meta.org ? { project: `${this.meta.org}/${this.meta.project}` } : {}), ...options });
    }
    return (await this.online('useArtifact', (scope) => downloadArtifact(scope, ref, { ...options, run: scope.run })))!.dir;
  }

  /** Calls that need the run on the server: nothing in disabled mode, an error offline (they are not journaled). */
  private async online<T>(what: string, call: (scope: RunScope) => Promise<T>): Promise<T | undefined> {
    if (this.mode === 'disabled') return undefined;
    if (this.mode === 'offline' || !this.api) {
      throw new TrackbaseOfflineError(
        `trackbase: ${what} needs a connection to the server; offline runs do not keep uploads for \`trackbase sync\`. Use mode "async" or "sync", or upload later with the CLI (\`trackbase files upload\`, \`trackbase artifacts put\`).`,
      );
    }
    if (!this.meta.runId) await this.connect();
    return call({ api: this.api, org: this.meta.org, project: this.meta.project, run: this.meta.runId! });
  }

  private record(kind: 'metric' | 'system', values: Record<string, number>, step?: number): Promise<void> {
    if (this.mode === 'disabled' || this.finished) return Promise.resolve();
    const s = step ?? this.step;
    if (kind === 'metric') this.step = Math.max(this.step, s + 1);
    const ts = Date.now();
    // NaN and the infinities as their wire strings: JSON.stringify would journal them as null, which a replay could not send.
    let wire: Record<string, number | WireFloat> = values;
    for (const name in values) {
      if (!Number.isFinite(values[name])) {
        wire = Object.fromEntries(Object.entries(values).map(([n, v]) => [n, toWireFloat(v)]));
        break;
      }
    }
    this.journal!.append({ t: 'm', k: kind, s, ts, v: wire });
    this.buffer.addPoints(kind, s, ts, wire);
    return this.afterRecord();
  }

  private entry(entry: Parameters<BatchBuffer['apply']>[0]): Promise<void> {
    if (this.mode === 'disabled' || this.finished) return Promise.resolve();
    this.journal!.append(entry);
    this.buffer.apply(entry);
    return this.afterRecord();
  }

  private afterRecord(): Promise<void> {
    if (this.mode === 'sync') {
      this.flush();
      return this.drain();
    }
    if (this.buffer.points >= this.options.maxBufferedPoints || this.buffer.media.length >= MAX_BUFFERED_MEDIA) this.flush();
    return Promise.resolve();
  }

  /** Cuts what is buffered into the next batch; the background loop sends it. */
  flush(): void {
    if (this.buffer.isEmpty() || !this.journal) return;
    const seq = this.nextSeq++;
    const inMemory = this.queue.reduce((n, q) => n + (q.batch ? q.points : 0), 0);
    const keep = inMemory + this.buffer.points <= this.options.maxQueuedPoints;
    const batch = keep ? this.buffer.toBatch(this.meta.streamId, seq) : null;
    const end = this.journal.position;
    this.journal.append({ t: 'b', seq });
    this.queue.push({ seq, points: this.buffer.points, batch, start: this.batchStart, end });
    this.batchStart = this.journal.position;
    this.buffer = new BatchBuffer();
    if (this.mode !== 'offline') this.kick();
  }

  private kick(): void {
    // With nothing queued a send loop would settle at once; finish() races `sending`, and a loop that
    // keeps settling at once would never yield to I/O (the tables' uploads would starve).
    if (!this.queue.length) return;
    this.sending ??= this.sendLoop().finally(() => {
      this.sending = null;
    });
  }

  private async sendLoop(): Promise<void> {
    const api = this.api;
    while (this.queue.length && api) {
      const head = this.queue[0]!;
      let dropped: DroppedValue[];
      const refusedMedia: DroppedValue[] = [];
      try {
        const whole = head.batch ?? this.reload(head);
        if (whole.media?.length && !(await this.uploadMedia(api, whole))) return;
        dropped = await deliverBatch(whole, {
          send: async (batch) => {
            if (!this.meta.runId) await this.connect();
            const ack = await api.sendBatch(this.meta.org, this.meta.project, this.meta.runId!, batch, 1);
            refusedMedia.push(...refusedMediaOf(ack));
          },
          wait: async (attempt) => {
            if (this.finished && this.stopSending) return false;
            await sleep(backoffDelay(attempt, DEFAULT_BACKOFF));
            return !(this.finished && this.stopSending);
          },
        });
      } catch (error) {
        if (error instanceof DeliveryStoppedError) return;
        throw error;
      }
      this.journal!.append(dropped.length ? { t: 'r', seq: head.seq, code: dropped[0]!.code } : { t: 'a', seq: head.seq });
      this.queue.shift();
      this.lastSentAt = Date.now();
      for (const value of [...dropped, ...refusedMedia]) this.report(value);
    }
  }

  /** Uploads a batch's media objects, retrying while the server is unreachable; false when sending stops meanwhile. */
  private async uploadMedia(api: TrackbaseApi, batch: RunBatch): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.meta.runId) await this.connect();
        await uploadBatchMedia(api, { org: this.meta.org, project: this.meta.project, run: this.meta.runId! }, this.journal!.dir, batch);
        return true;
      } catch (error) {
        // Refused for good (a quota): the server then refuses those items one by one and keeps the rest of the batch.
        if (error instanceof TrackbaseApiError) {
          this.options.log(`trackbase: media of batch ${batch.seq} could not be uploaded: ${error.message}`);
          return true;
        }
        if (this.finished && this.stopSending) return false;
        await sleep(backoffDelay(attempt, DEFAULT_BACKOFF));
        if (this.finished && this.stopSending) return false;
      }
    }
  }

  private stopSending = false;

  /** Batches beyond the in-memory window come back from their range of the journal when their turn comes. */
  private reload(queued: Queued): RunBatch {
    return batchFromEntries(this.meta.streamId, queued.seq, this.journal!.readRange(queued.start, queued.end)).batch;
  }

  /** Each refused value is said once (the first few; `finish()` returns them all), never retried. */
  private report(value: DroppedValue): void {
    this.dropped.push(value);
    if (this.dropped.length > MAX_REPORTED) return;
    this.options.log(`trackbase: the server refused ${value.key}: ${value.message}; it was dropped, the rest was delivered`);
  }

  private async heartbeat(): Promise<void> {
    if (!this.api || !this.meta.runId || this.finished) return;
    if (Date.now() - this.lastSentAt < this.options.heartbeatIntervalMs / 2) return;
    await this.api.heartbeat(this.meta.org, this.meta.project, this.meta.runId).catch(() => undefined);
  }

  /** Waits until every cut batch was acknowledged (or refused). */
  async drain(): Promise<void> {
    while (this.queue.length && this.mode !== 'offline') {
      this.kick();
      await this.sending;
    }
  }

  /**
   * Flushes, waits for the backlog (printing progress when there is one) up to
   * `timeoutMs`, records the final state and, once the server has everything,
   * removes the journal. What could not be sent stays on disk for `trackbase sync`.
   */
  async finish(state: FinalState = 'finished', options: { timeoutMs?: number } = {}): Promise<FinishResult> {
    checkFinishArguments(state, options);
    if (this.finished || this.mode === 'disabled') return { delivered: true, remainingBatches: 0, dropped: [] };
    this.finished = true;
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.flushPending();
    this.journal!.append({ t: 'finish', state });
    if (this.mode === 'offline' || !this.api) {
      this.journal!.close();
      this.options.log(`trackbase: offline run saved in ${this.journal!.dir}; upload it with \`trackbase sync\``);
      return { delivered: false, remainingBatches: this.queue.length, dropped: [...this.dropped] };
    }
    const timeoutMs = options.timeoutMs ?? 120_000;
    const started = Date.now();
    let lastProgress = 0;
    const total = this.queue.length;
    this.kick();
    this.kickTables();
    while ((this.queue.length || this.tableSending) && Date.now() - started < timeoutMs) {
      if (total > 2 && Date.now() - lastProgress > 2_000) {
        lastProgress = Date.now();
        this.options.log(`trackbase: uploading ${total - this.queue.length}/${total} batches...`);
      }
      // A null in a race settles it at once and this loop would never yield to I/O: race only what is pending.
      await Promise.race([sleep(250), ...[this.sending, this.tableSending].filter((p) => p !== null)]);
      this.kick();
    }
    const tablesLeft = pendingTables(this.journal!.dir).length;
    if (this.queue.length || tablesLeft) {
      this.stopSending = true;
      const points = this.queue.reduce((n, q) => n + q.points, 0);
      this.options.log(
        `trackbase: ${this.queue.length} batches (${points} points)${tablesLeft ? ` and ${tablesLeft} tables` : ''} were not delivered; they are saved in ${this.journal!.dir}. Run \`trackbase sync\` to upload them.`,
      );
      this.journal!.close();
      return { delivered: false, remainingBatches: this.queue.length, dropped: [...this.dropped] };
    }
    try {
      if (this.meta.runId) await this.api.updateRun(this.meta.org, this.meta.project, this.meta.runId, { state });
      this.journal!.remove();
      if (this.dropped.length > MAX_REPORTED)
        this.options.log(`trackbase: the server refused ${this.dropped.length} values in all; finish() lists them`);
      return { delivered: this.dropped.length === 0, remainingBatches: 0, dropped: [...this.dropped] };
    } catch (error) {
      if (!(error instanceof TrackbaseUnavailableError) && !(error instanceof TrackbaseApiError)) throw error;
      this.journal!.close();
      this.options.log(`trackbase: could not record the final state (${error.message}); \`trackbase sync\` will.`);
      return { delivered: false, remainingBatches: 0, dropped: [...this.dropped] };
    }
  }

  private flushPending(): void {
    if (!this.buffer.isEmpty()) this.flush();
  }
}
