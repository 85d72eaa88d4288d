import { z } from 'zod';
import { LIMITS, wireFloatSchema } from './runs';

/** Bounds of one series query: a page of the runs table times the metrics on screen. */
export const SERIES_QUERY_LIMITS = {
  runs: 1_000,
  names: 5_000,
  /** Series found × maxPoints may not exceed this; split the names over several requests. */
  pointBudget: 5_000_000,
  cursorLength: 900_000,
} as const;

const stepSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Many series of many runs in one request (`POST …/series/query`). Each series is
 * downsampled to `maxPoints` buckets (last point plus min and max per bucket);
 * `maxPoints: 0` answers the series' summaries without points (which metrics
 * these runs log). With `cursor` from an earlier answer to the same query,
 * only points after the steps already returned come back: what live charts poll.
 */
export const seriesQueryRequestSchema = z.strictObject({
  /** Run ids or short keys of the current project. */
  runs: z.array(z.string().min(1).max(100)).min(1).max(SERIES_QUERY_LIMITS.runs),
  /** Series names; every series of the kind when omitted. */
  names: z.array(z.string().min(1).max(LIMITS.seriesNameLength)).min(1).max(SERIES_QUERY_LIMITS.names).optional(),
  kind: z.enum(['metric', 'system']).default('metric'),
  from: stepSchema.default(0),
  to: stepSchema.default(Number.MAX_SAFE_INTEGER),
  maxPoints: z.number().int().min(0).max(100_000).default(1_000),
  /** Wall times of the points; leave out (false) for charts against steps to halve the payload. */
  times: z.boolean().default(true),
  cursor: z.string().min(1).max(SERIES_QUERY_LIMITS.cursorLength).optional(),
  /** Also answer each run's params (for scatter, parallel-coordinates and importance panels). */
  params: z.boolean().default(false),
  /**
   * Each downsampled series' bucket extremes (`min`/`max`). Charts that draw only the line leave them out
   * (false): they are two of a point's five numbers.
   */
  extremes: z.boolean().default(true),
  /**
   * Only which series these runs log: their distinct names (a fork's inherited ones too) in `names`, and no
   * `series`. What a panel area lays its sections out from; 100 runs × 1,000 metrics is 1,000 names, not
   * 100,000 summaries.
   */
  namesOnly: z.boolean().default(false),
});
export type SeriesQueryRequest = z.input<typeof seriesQueryRequestSchema>;

/**
 * One series, its points as parallel columns. `min`/`max` are present when the
 * series was downsampled (extremes of each bucket). `append`: this answer holds
 * only points after the cursor, to be appended to what the client has.
 */
export const packedSeriesSchema = z.object({
  /** Index into the answer's `runs`. */
  run: z.number().int(),
  name: z.string(),
  totalPoints: z.number(),
  lastStep: z.number().nullable(),
  last: wireFloatSchema.nullable(),
  downsampled: z.boolean(),
  append: z.boolean(),
  steps: z.array(z.number()),
  values: z.array(wireFloatSchema),
  times: z.array(z.number()).optional(),
  min: z.array(wireFloatSchema).optional(),
  max: z.array(wireFloatSchema).optional(),
  /** Forks: points at steps up to this one may come from an ancestor run (charts draw that part distinctly). */
  inheritedThrough: z.number().optional(),
});
export type PackedSeries = z.infer<typeof packedSeriesSchema>;

export const seriesQueryResponseSchema = z.object({
  /** Run ids, in the order the request named them (runs not found are left out). */
  runs: z.array(z.uuid()),
  /** Requested runs that do not exist in this project (or that the caller cannot see). */
  missingRuns: z.array(z.string()),
  series: z.array(packedSeriesSchema),
  /** With `namesOnly: true`: the distinct names of the runs' series of the kind, sorted. */
  names: z.array(z.string()).optional(),
  /** With `params: true`: each run's params, aligned with `runs`. */
  params: z.array(z.record(z.string(), z.unknown())).optional(),
  /** Pass back with the same query to receive only newer points. */
  cursor: z.string(),
});
export type SeriesQueryResponse = z.infer<typeof seriesQueryResponseSchema>;
