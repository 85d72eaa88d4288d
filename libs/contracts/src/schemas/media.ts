import { z } from 'zod';
import { contentTypeSchema, sha256HexSchema } from './storage';

/**
 * Media series: items logged under a key at a step (images, audio, video,
 * documents, figures, histograms, evaluation charts). File-backed items
 * reference a content object of the run (uploaded first through the
 * content-addressed upload protocol, `POST …/runs/:run/media/objects`); typed
 * items (histograms, charts, Markdown) carry their data inline. Items travel in
 * run batches (`media`), so the batch ledger makes them exactly-once; each one
 * is checked on its own and a refused item is answered in the acknowledgement
 * (`media.refused`) while the rest of the batch is kept.
 */
export const MEDIA_TYPES = [
  'image',
  'audio',
  'video',
  'html',
  'markdown',
  'figure',
  'histogram',
  'confusion_matrix',
  'roc_curve',
  'pr_curve',
] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Types whose bytes live in a content object (the rest carry typed `data`). */
export const FILE_MEDIA_TYPES: readonly MediaType[] = ['image', 'audio', 'video', 'html', 'figure'];

export const MEDIA_LIMITS = {
  itemsPerBatch: 1_000,
  /** Items under one key at one step (a batch of samples): `index` runs below this. */
  itemsPerStep: 1_000,
  itemsPerRun: 100_000,
  keyLength: 250,
  captionLength: 4_096,
  /** An image's bytes; larger media (audio, video, documents) up to `fileBytes`. */
  imageBytes: 25 * 1024 * 1024,
  fileBytes: 200 * 1024 * 1024,
  /** Decoded pixels of an image (width × height), against decompression bombs. */
  imagePixels: 100_000_000,
  /** Inline JSON of one item (data, boxes, masks, metadata together). */
  dataBytes: 1024 * 1024,
  boxesPerImage: 5_000,
  thumbnailSize: 256,
  /** Items answered by one read. */
  readItems: 5_000,
  gridRuns: 200,
  gridKeys: 50,
  /** Largest document (HTML, SVG, figure specification) the document route answers with. */
  documentBytes: 10 * 1024 * 1024,
} as const;

export const MediaErrorCode = {
  InvalidMediaItem: 'invalid_media_item',
  MediaObjectMissing: 'media_object_missing',
  MediaUndecodable: 'media_undecodable',
  MediaTypeMismatch: 'media_type_mismatch',
  MediaTooLarge: 'media_too_large',
  MediaRunLimit: 'media_run_limit',
  MediaStepLimit: 'media_step_limit',
} as const;

const mediaKey = z
  .string()
  .min(1)
  .max(MEDIA_LIMITS.keyLength)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');

const classNamesSchema = z.record(z.string().regex(/^\d{1,6}$/, 'class ids are integers'), z.string().max(250));

/**
 * Bounding boxes of one group (predictions, ground truth…). `coordinates`:
 * `pixel` or `fraction` (of the width and height); `format`: `xyxy` (corners)
 * or `xywh` (top-left corner, width, height).
 */
export const boxGroupSchema = z.strictObject({
  coordinates: z.enum(['pixel', 'fraction']).default('pixel'),
  format: z.enum(['xyxy', 'xywh']).default('xyxy'),
  classNames: classNamesSchema.optional(),
  boxes: z
    .array(
      z.strictObject({
        box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        classId: z.number().int().min(0).optional(),
        score: z.number().optional(),
        label: z.string().max(250).optional(),
      }),
    )
    .max(MEDIA_LIMITS.boxesPerImage),
});
export type BoxGroup = z.infer<typeof boxGroupSchema>;

/** A segmentation mask: a PNG class map (one class id per pixel, the image's size) stored as a content object. */
export const maskSchema = z.strictObject({
  sha256: sha256HexSchema,
  size: z.number().int().min(1).max(MEDIA_LIMITS.imageBytes),
  classNames: classNamesSchema.optional(),
});
export type MaskRef = z.infer<typeof maskSchema>;

const groupName = z.string().min(1).max(100);

export const histogramDataSchema = z.strictObject({
  /** `bins.length + 1` edges, ascending. */
  edges: z.array(z.number()).min(2).max(10_001),
  counts: z.array(z.number().min(0)).min(1).max(10_000),
});

export const confusionMatrixDataSchema = z.strictObject({
  classNames: z.array(z.string().max(250)).min(1).max(1_000),
  /** `matrix[true][predicted]`. */
  matrix: z
    .array(z.array(z.number().min(0)))
    .min(1)
    .max(1_000),
});

/** One curve per class: `x`/`y` are FPR/TPR (ROC) or recall/precision (PR). */
export const curveDataSchema = z.strictObject({
  curves: z
    .array(
      z.strictObject({
        className: z.string().max(250),
        x: z.array(z.number()).max(10_000),
        y: z.array(z.number()).max(10_000),
        auc: z.number().optional(),
      }),
    )
    .min(1)
    .max(1_000),
});

export const markdownDataSchema = z.strictObject({ text: z.string().max(MEDIA_LIMITS.dataBytes) });

/** What one logged item declares. */
export const mediaItemSchema = z.strictObject({
  key: mediaKey,
  step: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Milliseconds since the Unix epoch. */
  time: z.number().min(0).max(8.64e15),
  /** Position within the step for a batch of samples. */
  index: z
    .number()
    .int()
    .min(0)
    .max(MEDIA_LIMITS.itemsPerStep - 1)
    .default(0),
  type: z.enum(MEDIA_TYPES),
  /** The content object (file-backed types): its SHA-256 and size as declared when uploading it. */
  sha256: sha256HexSchema.optional(),
  size: z.number().int().min(0).max(MEDIA_LIMITS.fileBytes).optional(),
  contentType: contentTypeSchema.optional(),
  caption: z.string().max(MEDIA_LIMITS.captionLength).optional(),
  /** Audio: samples per second. */
  sampleRate: z.number().int().min(1).max(1_000_000).optional(),
  /** Audio and video: seconds. */
  duration: z.number().min(0).optional(),
  /** Figures: `plotly`, `vega-lite` (JSON specifications), `svg`, `png`. */
  format: z.enum(['plotly', 'vega-lite', 'svg', 'png']).optional(),
  boxes: z.record(groupName, boxGroupSchema).optional(),
  masks: z.record(groupName, maskSchema).optional(),
  /** Typed items: histogram bins, confusion matrix, curves, Markdown text. */
  data: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string().max(250), z.unknown()).optional(),
});
export type MediaItem = z.input<typeof mediaItemSchema>;
export type ParsedMediaItem = z.infer<typeof mediaItemSchema>;

/** An item the server would not keep, by its position in the batch's `media`. */
export const refusedMediaSchema = z.object({
  index: z.number(),
  /** The item in the batch body, as the error shape's paths name a field (`media.2`). */
  path: z.string().optional(),
  key: z.string().optional(),
  step: z.number().optional(),
  /** What a request of this item alone would have been answered (400, 413). */
  status: z.number(),
  code: z.string(),
  message: z.string(),
});
export type RefusedMedia = z.infer<typeof refusedMediaSchema>;

export const mediaAckSchema = z.object({ stored: z.number(), refused: z.array(refusedMediaSchema) });

/** A stored item as read back: URLs are short-lived and signed. */
export const storedMediaSchema = z.object({
  runId: z.uuid(),
  key: z.string(),
  step: z.number(),
  index: z.number(),
  time: z.number(),
  type: z.enum(MEDIA_TYPES),
  contentType: z.string().nullable(),
  size: z.number().nullable(),
  sha256: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  duration: z.number().nullable(),
  sampleRate: z.number().nullable(),
  format: z.string().nullable(),
  caption: z.string().nullable(),
  boxes: z.record(z.string(), boxGroupSchema).nullable(),
  masks: z.record(z.string(), z.object({ classNames: classNamesSchema.optional(), url: z.string() })).nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  url: z.string().nullable(),
  thumbnailUrl: z.string().nullable(),
  /**
   * Thumbnails are made in the background after the item is stored: `pending` until then, `ready` with
   * `thumbnailUrl`, `failed` when the content did not decode fully (`thumbnailError` says why; the item
   * stays, the app shows the original or a marker); null for items without one (audio, documents).
   */
  thumbnailState: z.enum(['pending', 'ready', 'failed']).nullable(),
  thumbnailError: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type StoredMedia = z.infer<typeof storedMediaSchema>;

export const mediaListSchema = z.object({ items: z.array(storedMediaSchema), truncated: z.boolean() });
export type MediaList = z.infer<typeof mediaListSchema>;

export const mediaKeySummarySchema = z.object({
  key: z.string(),
  type: z.enum(MEDIA_TYPES),
  count: z.number(),
  firstStep: z.number(),
  lastStep: z.number(),
  /** Distinct steps with items, ascending (at most 10,000). */
  steps: z.array(z.number()),
  /** The earliest wall time (ms since the epoch) of each of `steps`: what a slider on wall time moves along. */
  times: z.array(z.number()),
});
export type MediaKeySummary = z.infer<typeof mediaKeySummarySchema>;

export const mediaKeysSchema = z.object({ runId: z.uuid(), keys: z.array(mediaKeySummarySchema) });
export type MediaKeys = z.infer<typeof mediaKeysSchema>;

/**
 * The compare grid: for each run × key, the items at the latest step at or
 * before `step` (the items of the exact step when it has some), in one query.
 * Without `step`, each cell's last step.
 */
export const mediaGridRequestSchema = z.strictObject({
  /** Run ids; runs of other projects or organizations are left out, as if they had no media. */
  runs: z.array(z.uuid()).min(1).max(MEDIA_LIMITS.gridRuns),
  keys: z.array(mediaKey).min(1).max(MEDIA_LIMITS.gridKeys),
  step: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /**
   * A step per run, instead of `step`, for a slider on another x axis (an epoch metric, wall time): each
   * run's latest step at or before its own. A run mapped to null shows nothing; a run left out uses `step`.
   */
  runSteps: z.record(z.uuid(), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable()).optional(),
  /** Keys whose runs' step lists are wanted too (for the slider). */
  withSteps: z.boolean().optional(),
});
export type MediaGridRequest = z.infer<typeof mediaGridRequestSchema>;

export const mediaGridSchema = z.object({
  cells: z.array(
    z.object({
      runId: z.uuid(),
      key: z.string(),
      /** The step shown, null when the run has nothing at or before the step asked for. */
      step: z.number().nullable(),
      items: z.array(storedMediaSchema),
      steps: z.array(z.number()).optional(),
    }),
  ),
});
export type MediaGrid = z.infer<typeof mediaGridSchema>;
