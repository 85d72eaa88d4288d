import { z } from 'zod';
import { SLUG_PATTERN } from '../slug';
import { LIMITS } from './runs';
import { storedMediaSchema } from './media';
import { packedSeriesSchema } from './series-query';

/**
 * Reports: documents of blocks (Markdown text, and panels bound to run sets)
 * in an organization, drawing on one or several of its projects. A draft is
 * edited in place; publishing snapshots it as a numbered version (who, when).
 */
export const REPORT_LIMITS = {
  blocks: 100,
  textLength: 100_000,
  runsPerSet: 200,
  metricsPerPanel: 20,
  titleLength: 200,
  filterLength: 4_000,
  members: 200,
  mediaKeysPerPanel: 8,
  /** Steps a media panel's slider offers (the newest ones). */
  mediaSteps: 500,
} as const;

export const ReportErrorCode = {
  /** A run set names a project the editor cannot read. */
  ProjectNotReadable: 'report_project_not_readable',
  /** The report has no published version yet. */
  NotPublished: 'report_not_published',
  /** The share link was revoked or has expired. */
  LinkGone: 'share_link_gone',
  /** A block id that the report (version) does not have, or one that is not a panel. */
  UnknownBlock: 'report_unknown_block',
  /** A run set's filter does not parse. */
  InvalidRunSet: 'report_invalid_run_set',
} as const;

/** Runs a panel shows: a filter over one project's runs, or a fixed list of run ids/keys of that project. */
export const runSetSchema = z.strictObject({
  project: z.string().regex(SLUG_PATTERN),
  /** Filter language of the runs table; every run of the project when empty. Ignored when `runs` is given. */
  filter: z.string().max(REPORT_LIMITS.filterLength).optional(),
  runs: z.array(z.string().min(1).max(100)).min(1).max(REPORT_LIMITS.runsPerSet).optional(),
  /** Most runs a filter contributes (newest first). */
  limit: z.number().int().min(1).max(REPORT_LIMITS.runsPerSet).default(20),
});
export type RunSet = z.input<typeof runSetSchema>;

const blockId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);

/** Freezing a panel: at publication (the data as the version was published), or at a step. */
const freezeSchema = z.strictObject({
  /** Points after this step are not shown. */
  step: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** Keep the runs and points as they were when the version was published. */
  atPublication: z.boolean().optional(),
});

export const textBlockSchema = z.strictObject({
  id: blockId,
  type: z.literal('text'),
  markdown: z
    .string()
    .max(REPORT_LIMITS.textLength)
    .refine((s) => !s.includes('\u0000'), { message: 'text cannot contain a NUL character' }),
});

export const lineBlockSchema = z.strictObject({
  id: blockId,
  type: z.literal('line'),
  title: z.string().max(REPORT_LIMITS.titleLength).optional(),
  runSet: runSetSchema,
  metrics: z.array(z.string().min(1).max(LIMITS.seriesNameLength)).min(1).max(REPORT_LIMITS.metricsPerPanel),
  freeze: freezeSchema.optional(),
});

/** Runs side by side: their params and the last value of each metric. */
export const runsTableBlockSchema = z.strictObject({
  id: blockId,
  type: z.literal('runs'),
  title: z.string().max(REPORT_LIMITS.titleLength).optional(),
  runSet: runSetSchema,
  metrics: z.array(z.string().min(1).max(LIMITS.seriesNameLength)).max(REPORT_LIMITS.metricsPerPanel).default([]),
  freeze: freezeSchema.optional(),
});

const seriesName = z.string().min(1).max(LIMITS.seriesNameLength);

/** One axis of a scatter plot: a param of the runs, or the last value (summary) of a metric. */
export const scatterAxisSchema = z.strictObject({
  kind: z.enum(['param', 'metric']),
  name: seriesName,
});
export type ScatterAxis = z.infer<typeof scatterAxisSchema>;

/** One dot per run of the set: `x` against `y`, each a param or a metric's last value. */
export const scatterBlockSchema = z.strictObject({
  id: blockId,
  type: z.literal('scatter'),
  title: z.string().max(REPORT_LIMITS.titleLength).optional(),
  runSet: runSetSchema,
  x: scatterAxisSchema,
  y: scatterAxisSchema,
  freeze: freezeSchema.optional(),
});

/** Parallel coordinates: one axis per param, then one per metric (its last value), one polyline per run. */
export const parallelBlockSchema = z
  .strictObject({
    id: blockId,
    type: z.literal('parallel'),
    title: z.string().max(REPORT_LIMITS.titleLength).optional(),
    runSet: runSetSchema,
    params: z.array(seriesName).max(REPORT_LIMITS.metricsPerPanel).default([]),
    metrics: z.array(seriesName).max(REPORT_LIMITS.metricsPerPanel).default([]),
    freeze: freezeSchema.optional(),
  })
  .refine((b) => b.params.length + b.metrics.length >= 2, {
    message: 'parallel coordinates need at least two axes (params and metrics)',
    path: ['params'],
  });

/** The media grid of the workspace: the run set's runs × media keys at a step (a slider over the logged steps). */
export const mediaBlockSchema = z.strictObject({
  id: blockId,
  type: z.literal('media'),
  title: z.string().max(REPORT_LIMITS.titleLength).optional(),
  runSet: runSetSchema,
  keys: z.array(z.string().min(1).max(250)).min(1).max(REPORT_LIMITS.mediaKeysPerPanel),
  /** The step shown first (the latest when omitted); readers move the slider over the logged steps. */
  step: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  freeze: freezeSchema.optional(),
});

export const reportBlockSchema = z.discriminatedUnion('type', [
  textBlockSchema,
  lineBlockSchema,
  runsTableBlockSchema,
  scatterBlockSchema,
  parallelBlockSchema,
  mediaBlockSchema,
]);
export type ReportBlock = z.input<typeof reportBlockSchema>;
export type ReportBlockParsed = z.output<typeof reportBlockSchema>;
export type PanelBlock = Exclude<ReportBlockParsed, { type: 'text' }>;
export const REPORT_PANEL_TYPES = ['line', 'runs', 'scatter', 'parallel', 'media'] as const;

/** The metrics whose series a panel reads (a scatter's metric axes, a media panel none). */
export function panelMetrics(block: PanelBlock): string[] {
  switch (block.type) {
    case 'scatter':
      return [...new Set([block.x, block.y].filter((a) => a.kind === 'metric').map((a) => a.name))];
    case 'media':
      return [];
    default:
      return block.metrics;
  }
}

/** A panel's caption: its title, or what it shows (the web app and the static export say the same). */
export function panelTitle(block: PanelBlock): string {
  if (block.title) return block.title;
  switch (block.type) {
    case 'line':
      return block.metrics.join(', ');
    case 'runs':
      return 'Runs';
    case 'scatter':
      return `${block.y.name} vs ${block.x.name}`;
    case 'parallel':
      return [...block.params, ...block.metrics].join(', ');
    case 'media':
      return block.keys.join(', ');
  }
}

const blocksSchema = z
  .array(reportBlockSchema)
  .max(REPORT_LIMITS.blocks)
  .refine((blocks) => new Set(blocks.map((b) => b.id)).size === blocks.length, { message: 'block ids must be unique' });

export const createReportRequestSchema = z.strictObject({
  title: z.string().trim().min(1).max(REPORT_LIMITS.titleLength),
  blocks: blocksSchema.default([]),
});
export type CreateReportRequest = z.input<typeof createReportRequestSchema>;

/** Saves the draft. With `baseRevision`, a save begun from an older draft than the current one is refused (409). */
export const updateReportRequestSchema = z.strictObject({
  title: z.string().trim().min(1).max(REPORT_LIMITS.titleLength).optional(),
  blocks: blocksSchema.optional(),
  baseRevision: z.number().int().min(0).optional(),
});
export type UpdateReportRequest = z.input<typeof updateReportRequestSchema>;

export const REPORT_MEMBER_ROLES = ['viewer', 'editor'] as const;
export type ReportMemberRole = (typeof REPORT_MEMBER_ROLES)[number];

export const setReportMemberRequestSchema = z.strictObject({ role: z.enum(REPORT_MEMBER_ROLES) });

const personSchema = z.object({ id: z.uuid().nullable(), name: z.string() });

export const reportVersionSummarySchema = z.object({
  version: z.number().int(),
  title: z.string(),
  publishedBy: personSchema,
  publishedAt: z.string(),
});
export type ReportVersionSummary = z.infer<typeof reportVersionSummarySchema>;

/** What the caller may do with the report: `read` as a reader of its projects or a named viewer; `edit` as contributor or named editor. */
export const reportAccessSchema = z.object({ read: z.boolean(), edit: z.boolean() });

export const reportSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  /** Slugs of the projects the report draws from. */
  projects: z.array(z.string()),
  blocks: z.array(reportBlockSchema),
  /** Draft revision, increased by every save. */
  revision: z.number().int(),
  createdBy: personSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedVersion: z.number().int().nullable(),
  access: reportAccessSchema.optional(),
});
export type Report = z.infer<typeof reportSchema>;

export const reportListSchema = z.object({
  items: z.array(reportSchema.omit({ blocks: true, access: true })),
});
export type ReportList = z.infer<typeof reportListSchema>;

/** One published version as readers see it. */
export const reportVersionSchema = z.object({
  reportId: z.uuid(),
  version: z.number().int(),
  title: z.string(),
  blocks: z.array(reportBlockSchema),
  publishedBy: personSchema,
  publishedAt: z.string(),
});
export type ReportVersion = z.infer<typeof reportVersionSchema>;

export const reportHistorySchema = z.object({ items: z.array(reportVersionSummarySchema) });
export type ReportHistory = z.infer<typeof reportHistorySchema>;

export const reportMemberSchema = z.object({ userId: z.uuid(), name: z.string(), role: z.enum(REPORT_MEMBER_ROLES) });
export const reportMemberListSchema = z.object({ items: z.array(reportMemberSchema) });
export type ReportMember = z.infer<typeof reportMemberSchema>;

/**
 * Data of one panel (`POST …/reports/{id}/data`, `POST /shared/reports/{token}/data`). Only runs of the
 * block's run set and only its metrics can be asked for; anything else answers 404.
 */
export const reportDataRequestSchema = z.strictObject({
  block: blockId,
  /** A published version; the draft when omitted (reports API only; share links always read their published version). */
  version: z.number().int().min(1).optional(),
  /** A subset of the block's runs (ids); all of them when omitted. */
  runs: z.array(z.string().min(1).max(100)).min(1).max(REPORT_LIMITS.runsPerSet).optional(),
  maxPoints: z.number().int().min(0).max(10_000).default(1_000),
  /** Media panels: the step of the slider (each run's latest step at or before it). */
  step: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type ReportDataRequest = z.input<typeof reportDataRequestSchema>;

export const reportRunSchema = z.object({
  id: z.uuid(),
  key: z.string(),
  name: z.string(),
  state: z.string(),
  project: z.string(),
  params: z.record(z.string(), z.unknown()),
});
export type ReportRun = z.infer<typeof reportRunSchema>;

export const reportDataSchema = z.object({
  block: z.string(),
  runs: z.array(reportRunSchema),
  /** `run` indexes `runs`. */
  series: z.array(packedSeriesSchema),
  /** The step after which points are hidden (frozen panels), if any. */
  cutoffStep: z.number().nullable(),
  /** Media panels: the grid of runs × keys at the step asked for (or the block's, or the latest), and the steps logged. */
  media: z
    .object({
      step: z.number().nullable(),
      steps: z.array(z.number()),
      cells: z.array(z.object({ runId: z.uuid(), key: z.string(), step: z.number().nullable(), items: z.array(storedMediaSchema) })),
    })
    .optional(),
});
export type ReportData = z.infer<typeof reportDataSchema>;

export const createShareLinkRequestSchema = z.strictObject({
  /** ISO time after which the link stops working; never when omitted. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** Double-blind review: the link shows no run names or keys, project slugs or people. */
  anonymised: z.boolean().optional(),
});
export type CreateShareLinkRequest = z.input<typeof createShareLinkRequestSchema>;

export const shareLinkSchema = z.object({
  id: z.uuid(),
  createdBy: personSchema,
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  anonymised: z.boolean(),
});
export type ShareLink = z.infer<typeof shareLinkSchema>;

/** The token is shown once, when the link is made; only its hash is stored. */
export const createdShareLinkSchema = shareLinkSchema.extend({ token: z.string(), path: z.string() });
export type CreatedShareLink = z.infer<typeof createdShareLinkSchema>;
export const shareLinkListSchema = z.object({ items: z.array(shareLinkSchema) });

/** What a share link shows: the published version, its runs' data through `…/data`, nothing else. */
export const sharedReportSchema = reportVersionSchema.omit({ publishedBy: true }).extend({
  /** An anonymised link: run sets name placeholder projects and no runs or filters; panel data names runs by placeholders. */
  anonymised: z.boolean(),
});
export type SharedReport = z.infer<typeof sharedReportSchema>;
