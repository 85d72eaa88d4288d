import { z } from 'zod';

/** Summaries kept per metric series; `metrics.<name>.<stat>` in the filter language. */
export const METRIC_SUMMARY_STATS = ['last', 'min', 'max', 'count', 'step'] as const;
export type MetricSummaryStat = (typeof METRIC_SUMMARY_STATS)[number];

export const RUN_COLUMN_KINDS = ['attribute', 'param', 'metric', 'tag'] as const;
export type RunColumnKind = (typeof RUN_COLUMN_KINDS)[number];

/** How a column's values read: the web formats each type (durations with units, relative times, significant digits). */
export const RUN_COLUMN_TYPES = ['text', 'number', 'time', 'duration', 'user', 'key', 'state', 'tags', 'json'] as const;
export type RunColumnType = (typeof RUN_COLUMN_TYPES)[number];

export const runColumnSchema = z.object({
  /**
   * The filter-language field: `state`, `params.optimizer.lr`, ``metrics.`val/acc` `` (append `.max` etc. for a
   * summary). A tag's column is `tag:<name>` (has the run that tag?), which the table reads from the run's tags.
   */
  field: z.string(),
  kind: z.enum(RUN_COLUMN_KINDS),
  name: z.string(),
  type: z.enum(RUN_COLUMN_TYPES),
});
export type RunColumn = z.infer<typeof runColumnSchema>;

/** `GET …/projects/{project}/columns`: every column the project has, and the ones to show by default. */
export const runColumnListSchema = z.object({
  columns: z.array(runColumnSchema),
  metricStats: z.array(z.enum(METRIC_SUMMARY_STATS)),
  /** Fields shown when nothing was chosen: the metrics most recent runs log and the params that vary among them. */
  defaults: z.array(z.string()),
});
export type RunColumnList = z.infer<typeof runColumnListSchema>;

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_\-/]*$/;

/** A name as one segment of a filter-language field, in backticks unless it is a plain identifier. */
export function fieldSegment(name: string): string {
  return SIMPLE_NAME.test(name) && !(METRIC_SUMMARY_STATS as readonly string[]).includes(name) ? name : `\`${name}\``;
}

/** The filter-language field of a param, or of a metric (with a summary). */
export function runField(kind: 'param' | 'metric', name: string, stat?: MetricSummaryStat): string {
  const base = `${kind === 'param' ? 'params' : 'metrics'}.${fieldSegment(name)}`;
  return stat ? `${base}.${stat}` : base;
}

/** The column of one tag: whether a run carries it. Not a filter-language field; the table reads it from `tags`. */
export function tagField(name: string): string {
  return `tag:${name}`;
}

// ---- Saved views ----------------------------------------------------------

export const SAVED_VIEW_VISIBILITIES = ['project', 'personal'] as const;
export type SavedViewVisibility = (typeof SAVED_VIEW_VISIBILITIES)[number];

export const viewColumnSchema = z.strictObject({
  field: z.string().min(1).max(300),
  width: z.number().int().min(40).max(2_000).optional(),
  pinned: z.boolean().optional(),
});
export type ViewColumn = z.infer<typeof viewColumnSchema>;

/**
 * What a view restores: the runs table's filter, sort, columns (in order,
 * with widths and pins) and nested grouping, and the chart panels, whose
 * shape belongs to the charts and is kept as given.
 */
export const viewStateSchema = z.strictObject({
  filter: z.string().max(4_000).default(''),
  sort: z.string().max(1_000).default(''),
  columns: z.array(viewColumnSchema).max(200).default([]),
  grouping: z.array(z.string().min(1).max(300)).max(5).default([]),
  panels: z.unknown().optional(),
});
export type ViewState = z.infer<typeof viewStateSchema>;

export const savedViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  visibility: z.enum(SAVED_VIEW_VISIBILITIES),
  ownerId: z.uuid().nullable(),
  /** The project's default, for everyone without a default of their own. */
  projectDefault: z.boolean(),
  /** The caller's own default. */
  myDefault: z.boolean(),
  state: viewStateSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SavedView = z.infer<typeof savedViewSchema>;

export const savedViewListSchema = z.object({
  items: z.array(savedViewSchema),
  /** The view to open: the caller's default, else the project's, else none. */
  defaultViewId: z.uuid().nullable(),
});
export type SavedViewList = z.infer<typeof savedViewListSchema>;

export const createSavedViewRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  visibility: z.enum(SAVED_VIEW_VISIBILITIES).default('personal'),
  state: viewStateSchema,
});
export type CreateSavedViewRequest = z.input<typeof createSavedViewRequestSchema>;

export const updateSavedViewRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  visibility: z.enum(SAVED_VIEW_VISIBILITIES).optional(),
  state: viewStateSchema.optional(),
});
export type UpdateSavedViewRequest = z.input<typeof updateSavedViewRequestSchema>;

/** `PUT …/views/{id}/default`: `personal` for the caller, `project` for everyone (needs contributor). */
export const setDefaultViewRequestSchema = z.strictObject({
  scope: z.enum(['personal', 'project']),
});
export type SetDefaultViewRequest = z.infer<typeof setDefaultViewRequestSchema>;

export const ViewErrorCode = {
  /** A view's state is larger than 256 KB once serialised. */
  ViewTooLarge: 'view_too_large',
  /** Another view of the project (shared), or of yours (personal), has that name. */
  ViewNameTaken: 'view_name_taken',
  /** Only a view shared with the project can be the project's default. */
  ViewNotShared: 'view_not_shared',
} as const;

/** The most a view's state may hold, serialised. */
export const VIEW_STATE_MAX_BYTES = 256 * 1024;
