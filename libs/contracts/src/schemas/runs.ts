import { z } from 'zod';
import { MEDIA_LIMITS, mediaAckSchema, type MediaItem } from './media';

/** Run lifecycle. `crashed` is set by the server when heartbeats stop; a resumed heartbeat brings the run back to `running`. */
export const RUN_STATES = ['running', 'finished', 'failed', 'aborted', 'crashed'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const runStateSchema = z.enum(RUN_STATES);
/** States a client may set; `crashed` is the server's verdict only. */
export const clientRunStateSchema = z.enum(['running', 'finished', 'failed', 'aborted']);

/** Series live in namespaces: training metrics, system stats, and text (console) lines. */
export const SERIES_KINDS = ['metric', 'system', 'text'] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];

export const LIMITS = {
  /** Largest batch body the ingestion endpoint accepts. */
  batchBytes: 16 * 1024 * 1024,
  seriesPerBatch: 10_000,
  pointsPerBatch: 2_000_000,
  seriesNameLength: 250,
  textLineLength: 16 * 1024,
  paramCount: 10_000,
  paramPathLength: 250,
  paramStringLength: 4_096,
  tagLength: 120,
  tagsPerRun: 500,
  notesLength: 100_000,
  contextBytes: 2 * 1024 * 1024,
  assetsPerBatch: 1_000,
  previewRows: 100,
} as const;

/**
 * A float on the wire. JSON has no NaN or infinities, so those travel as strings;
 * the server stores them faithfully and returns them the same way.
 */
export const wireFloatSchema = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
export type WireFloat = z.infer<typeof wireFloatSchema>;

export function toWireFloat(value: number): WireFloat {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export function fromWireFloat(value: WireFloat): number {
  if (typeof value === 'number') return value;
  return value === 'NaN' ? NaN : value === 'Infinity' ? Infinity : -Infinity;
}

const seriesName = z
  .string()
  .min(1)
  .max(LIMITS.seriesNameLength)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');

/**
 * Point columns are validated by hand-written loops: a batch carries millions
 * of numbers and a per-element schema costs ~400 ns each, which would make
 * validation the ingestion bottleneck. Errors still name the offending index.
 */
function numberColumn(what: string, accepts: (v: unknown) => boolean, jsonSchema: Record<string, unknown>) {
  return z
    .any()
    .superRefine((values: unknown, ctx) => {
      if (!Array.isArray(values)) {
        ctx.addIssue({ code: 'custom', message: `${what} must be an array` });
        return;
      }
      for (let i = 0; i < values.length; i++) {
        if (!accepts(values[i])) {
          ctx.addIssue({ code: 'custom', message: `${what}[${i}] is not valid: ${JSON.stringify(values[i])?.slice(0, 40)}`, path: [i] });
          return;
        }
      }
    })
    .meta({ type: 'array', items: jsonSchema });
}

const isStep = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** Milliseconds since the Unix epoch. */
const isEpochMillis = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 8.64e15;
const isWireFloat = (v: unknown) => (typeof v === 'number' && Number.isFinite(v)) || v === 'NaN' || v === 'Infinity' || v === '-Infinity';

const stepsColumn = numberColumn('steps', isStep, { type: 'integer', minimum: 0 });
const timesColumn = numberColumn('times', isEpochMillis, { type: 'number', minimum: 0, description: 'milliseconds since the Unix epoch' });
const valuesColumn = numberColumn('values', isWireFloat, {
  oneOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }],
});

/** Columnar points of one numeric series: `steps[i]`, `values[i]` and `times[i]` belong together. */
export const numericSeriesBatchSchema = z.strictObject({
  name: seriesName,
  steps: stepsColumn as unknown as z.ZodType<number[]>,
  values: valuesColumn as unknown as z.ZodType<WireFloat[]>,
  times: timesColumn as unknown as z.ZodType<number[]>,
});
export type NumericSeriesBatch = z.infer<typeof numericSeriesBatchSchema>;

export const textSeriesBatchSchema = z.strictObject({
  name: seriesName,
  steps: stepsColumn as unknown as z.ZodType<number[]>,
  lines: z.array(z.string().max(LIMITS.textLineLength)),
  times: timesColumn as unknown as z.ZodType<number[]>,
});
export type TextSeriesBatch = z.infer<typeof textSeriesBatchSchema>;

/** Nested parameters; the server stores them flat by dotted path (`optimizer.lr`). */
export type ParamValue = number | string | boolean | null | ParamValue[] | { [key: string]: ParamValue };
export const paramValueSchema: z.ZodType<ParamValue> = z.lazy(() =>
  z.union([
    z.number(),
    z.string().max(LIMITS.paramStringLength),
    z.boolean(),
    z.null(),
    z.array(paramValueSchema).max(1_000),
    z.record(z.string().min(1).max(LIMITS.paramPathLength), paramValueSchema),
  ]),
);

export const runContextSchema = z
  .strictObject({
    source: z
      .strictObject({
        commit: z.string().max(100).optional(),
        branch: z.string().max(500).optional(),
        remote: z.string().max(2_000).optional(),
        dirty: z.boolean().optional(),
        diff: z.string().max(1_000_000).optional(),
      })
      .optional(),
    command: z
      .strictObject({
        argv: z.array(z.string().max(10_000)).max(1_000),
        entryPoint: z.string().max(2_000).optional(),
        cwd: z.string().max(2_000).optional(),
      })
      .optional(),
    runtime: z
      .strictObject({ language: z.string().max(50), version: z.string().max(100), executable: z.string().max(2_000).optional() })
      .optional(),
    dependencies: z.record(z.string().max(250), z.string().max(250)).optional(),
    host: z
      .strictObject({
        hostname: z.string().max(255).optional(),
        os: z.string().max(255).optional(),
        cpu: z.string().max(255).optional(),
        cpuCount: z.number().int().min(0).optional(),
        memoryBytes: z.number().min(0).optional(),
        gpus: z
          .array(z.strictObject({ name: z.string().max(255), memoryBytes: z.number().min(0).optional() }))
          .max(64)
          .optional(),
      })
      .optional(),
    env: z.record(z.string().max(250), z.string().max(10_000)).optional(),
  })
  .describe('Reproducibility context; each part is optional and replaces what was stored for it.');
export type RunContext = z.infer<typeof runContextSchema>;

export const columnStatSchema = z.strictObject({
  name: z.string().min(1).max(250),
  type: z.string().max(100),
  stats: z.record(z.string().max(100), z.union([z.number(), z.string().max(1_000), z.null()])).optional(),
});

/** A dataset or model a run read or produced. Identified within its project by kind, name and version (or digest). */
export const assetRefSchema = z.strictObject({
  kind: z.enum(['dataset', 'model']),
  name: z.string().min(1).max(250),
  version: z.string().min(1).max(100).optional(),
  uri: z.string().max(4_000).optional(),
  digest: z.string().max(200).optional(),
  sizeBytes: z.number().int().min(0).optional(),
  columns: z.array(columnStatSchema).max(2_000).optional(),
  preview: z
    .array(z.record(z.string().max(250), z.unknown()))
    .max(LIMITS.previewRows)
    .optional(),
  framework: z.string().max(100).optional(),
  modelClass: z.string().max(250).optional(),
  hyperparameters: z.record(z.string().max(250), paramValueSchema).optional(),
  preprocessing: z.array(z.string().max(2_000)).max(200).optional(),
  metadata: z.record(z.string().max(250), z.unknown()).optional(),
});
export type AssetRef = z.infer<typeof assetRefSchema>;

/**
 * One ingestion request: any mix of record types. `streamId` names one sender
 * (a process); `seq` numbers its batches from 0. A batch whose (streamId, seq)
 * was already committed is acknowledged again without being applied twice.
 */
export const runBatchSchema = z.strictObject({
  streamId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._:-]+$/),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  metrics: z.array(numericSeriesBatchSchema).optional(),
  system: z.array(numericSeriesBatchSchema).optional(),
  text: z.array(textSeriesBatchSchema).optional(),
  params: z.record(z.string().min(1).max(LIMITS.paramPathLength), paramValueSchema).optional(),
  tags: z
    .strictObject({
      add: z.array(z.string().min(1).max(LIMITS.tagLength)).max(LIMITS.tagsPerRun).optional(),
      remove: z.array(z.string().min(1).max(LIMITS.tagLength)).max(LIMITS.tagsPerRun).optional(),
    })
    .optional(),
  context: runContextSchema.optional(),
  inputs: z.array(assetRefSchema).max(LIMITS.assetsPerBatch).optional(),
  outputs: z.array(assetRefSchema).max(LIMITS.assetsPerBatch).optional(),
  /**
   * Media items (see `mediaItemSchema`). Each is validated on its own so that
   * one bad item is refused in the acknowledgement while the others are kept.
   */
  media: z
    .array(z.any().meta({ type: 'object', description: 'a media item (MediaItem)' }) as unknown as z.ZodType<MediaItem>)
    .max(MEDIA_LIMITS.itemsPerBatch)
    .optional(),
});
export type RunBatch = z.infer<typeof runBatchSchema>;

export const batchAckSchema = z.object({
  streamId: z.string(),
  seq: z.number(),
  /** True when this (streamId, seq) had already been committed: nothing was applied again. */
  duplicate: z.boolean(),
  points: z.number(),
  /** Present when the batch carried media: how many items were stored and which were refused (and why). */
  media: mediaAckSchema.optional(),
});
export type BatchAck = z.infer<typeof batchAckSchema>;

export const createRunRequestSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(250).optional(),
    /** Idempotency key for creation: every process of a distributed job passes the same one and joins one run. */
    externalId: z.string().min(1).max(250).optional(),
    description: z.string().max(10_000).optional(),
    tags: z.array(z.string().min(1).max(LIMITS.tagLength)).max(LIMITS.tagsPerRun).optional(),
    params: z.record(z.string().min(1).max(LIMITS.paramPathLength), paramValueSchema).optional(),
    context: runContextSchema.optional(),
    /** When the run began, if not now: importers keep the original start time of the runs they bring in. */
    startedAt: z.iso.datetime({ offset: true }).optional(),
    /**
     * Fork: the run this run continues from: its id or key in this project, or `<project slug>/<id or key>` for a
     * run of another project of the organization that the caller can read. The new run inherits the parent's
     * params (its own win) and, in series reads, the parent's points up to and including `forkStep` (for readers
     * who can read the parent's project).
     */
    forkFrom: z.string().min(1).max(100).optional(),
    /** The last step of the parent the fork inherits; required with `forkFrom`. */
    forkStep: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((r) => (r.forkFrom === undefined) === (r.forkStep === undefined), {
    message: 'forkFrom and forkStep go together',
    path: ['forkStep'],
  });
export type CreateRunRequest = z.infer<typeof createRunRequestSchema>;

export const updateRunRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(250).optional(),
  description: z.string().max(10_000).optional(),
  notes: z.string().max(LIMITS.notesLength).optional(),
  tags: z.array(z.string().min(1).max(LIMITS.tagLength)).max(LIMITS.tagsPerRun).optional(),
  state: clientRunStateSchema.optional(),
});
export type UpdateRunRequest = z.infer<typeof updateRunRequestSchema>;

export const seriesSummarySchema = z.object({
  name: z.string(),
  kind: z.enum(SERIES_KINDS),
  count: z.number(),
  lastStep: z.number().nullable(),
  last: wireFloatSchema.nullable(),
  min: wireFloatSchema.nullable(),
  max: wireFloatSchema.nullable(),
  lastTime: z.number().nullable(),
});
export type SeriesSummary = z.infer<typeof seriesSummarySchema>;

export const runSchema = z.object({
  id: z.uuid(),
  key: z.string(),
  number: z.number(),
  name: z.string(),
  externalId: z.string().nullable(),
  state: runStateSchema,
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
  description: z.string(),
  notes: z.string(),
  tags: z.array(z.string()),
  params: z.record(z.string(), z.unknown()),
  url: z.string(),
  /** The run this one was forked from and the last inherited step; null when it is not a fork. */
  fork: z
    .object({
      runId: z.uuid(),
      key: z.string(),
      step: z.number().int(),
      /** The parent's project slug, when the parent is a run of another project of the organization. */
      project: z.string().optional(),
    })
    .nullable()
    .optional(),
});
export type Run = z.infer<typeof runSchema>;

export const runDetailSchema = runSchema.extend({
  context: z.record(z.string(), z.unknown()),
  series: z.array(seriesSummarySchema),
  inputs: z.array(z.record(z.string(), z.unknown())),
  outputs: z.array(z.record(z.string(), z.unknown())),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

/** A row of the runs table: chosen params and metric summaries flattened as columns. */
export const runRowSchema = runSchema.omit({ params: true }).extend({
  columns: z.record(z.string(), z.unknown()),
});
export type RunRow = z.infer<typeof runRowSchema>;

export const runListSchema = z.object({
  items: z.array(runRowSchema),
  nextCursor: z.string().nullable(),
  /** On the first page (no cursor): runs the filter matches; `exact` is false when this is an estimate (above 100,000). */
  total: z.object({ count: z.number().int(), exact: z.boolean() }).optional(),
});
export type RunList = z.infer<typeof runListSchema>;

/** Downsampled series: per bucket the last point plus the min and max seen in it, so spikes survive. */
export const seriesDataSchema = z.object({
  runId: z.uuid(),
  name: z.string(),
  kind: z.enum(SERIES_KINDS),
  steps: z.array(z.number()),
  values: z.array(wireFloatSchema),
  times: z.array(z.number()),
  min: z.array(wireFloatSchema).optional(),
  max: z.array(wireFloatSchema).optional(),
  lines: z.array(z.string()).optional(),
  downsampled: z.boolean(),
  totalPoints: z.number(),
  /** Forks: points at steps up to this one may come from an ancestor run (charts draw that part distinctly). */
  inheritedThrough: z.number().optional(),
});
export type SeriesData = z.infer<typeof seriesDataSchema>;

export const RunErrorCode = {
  BatchTooLarge: 'batch_too_large',
  SeriesLengthMismatch: 'series_length_mismatch',
  InvalidFilter: 'invalid_filter',
  InvalidSort: 'invalid_sort',
  RunFinished: 'run_finished',
  ExternalIdConflict: 'external_id_conflict',
  InvalidCursor: 'invalid_cursor',
  SeriesQueryTooLarge: 'series_query_too_large',
} as const;
