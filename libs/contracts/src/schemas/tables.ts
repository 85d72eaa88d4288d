import { z } from 'zod';
import { boxGroupSchema, maskSchema, MEDIA_LIMITS } from './media';
import { sha256HexSchema, uploadPlanSchema } from './storage';

/**
 * Tables logged by a run under a key at a step (`run.log({preds: Table(...)}, step)`).
 * The SDK uploads the table as a JSON document (below) through the content-addressed
 * upload protocol; the server checks it, stores it as Parquet and answers queries on it.
 */
export const TABLE_LIMITS = {
  maxRows: 200_000,
  maxColumns: 500,
  /** Largest table document an SDK may upload. */
  maxSourceBytes: 512 * 1024 * 1024,
  columnNameLength: 250,
  keyLength: 250,
  /** Characters of a string cell. */
  stringLength: 64 * 1024,
  tablesPerRequest: 100,
  pageSize: 1_000,
  topValues: 10,
  /** Distinct media objects (image and audio cells) one table may name; each is checked when the table is stored. */
  mediaObjects: 5_000,
  /** Annotated image cells (caption, boxes, masks) one table may hold. */
  annotations: 5_000,
} as const;

/**
 * Cell types. Numbers are 64-bit floats (NaN and the infinities travel as wire strings); every column may hold nulls.
 * A media cell (`image`, `audio`) holds the SHA-256 (lowercase hex) of a content object of the run, uploaded
 * through `POST …/runs/{run}/media/objects` before the table is declared.
 */
export const TABLE_COLUMN_TYPES = ['number', 'string', 'bool', 'image', 'audio'] as const;
export type TableColumnType = (typeof TABLE_COLUMN_TYPES)[number];
export const TABLE_MEDIA_TYPES = ['image', 'audio'] as const;
export type TableMediaType = (typeof TABLE_MEDIA_TYPES)[number];
export const isTableMediaType = (type: string): type is TableMediaType => (TABLE_MEDIA_TYPES as readonly string[]).includes(type);

export const TableErrorCode = {
  /** The document is not a table: not JSON, a column without a name or type, duplicate column names. */
  InvalidTable: 'invalid_table',
  /** A cell does not hold its column's type. */
  SchemaMismatch: 'table_schema_mismatch',
  /** Columns of different lengths (rows of different widths). */
  RaggedRows: 'table_ragged_rows',
  /** More rows, columns or bytes than a table may hold (413). */
  TooLarge: 'table_too_large',
  /** A filter or sort that names no column of the table, or compares a column with a value of another type. */
  InvalidQuery: 'invalid_table_query',
} as const;

export const tableColumnSchema = z.strictObject({
  name: z.string().min(1).max(TABLE_LIMITS.columnNameLength),
  type: z.enum(TABLE_COLUMN_TYPES),
});
export type TableColumn = z.infer<typeof tableColumnSchema>;

/**
 * What an image cell may carry besides its pixels, as a media item does: a caption, boxes and masks
 * (PNG class maps of the image's size, content objects of the run). An annotated cell is written
 * `<sha256>#<n>`, `n` indexing the document's `annotations[column]`.
 */
export const tableCellAnnotationSchema = z.strictObject({
  caption: z.string().max(MEDIA_LIMITS.captionLength).optional(),
  boxes: z.record(z.string().min(1).max(100), boxGroupSchema).optional(),
  masks: z.record(z.string().min(1).max(100), maskSchema).optional(),
});
export type TableCellAnnotation = z.infer<typeof tableCellAnnotationSchema>;

/** A cell on the wire: numbers as in metric batches (`"NaN"`, `"Infinity"`, `"-Infinity"`), strings, booleans, null. */
export type TableCell = number | string | boolean | null;

/**
 * The document an SDK uploads (`application/vnd.trackbase.table+json`): columns and,
 * column by column, their cells. Checked by hand on the server (a table holds millions of cells).
 */
export interface TableDocument {
  format: 'trackbase.table/1';
  columns: TableColumn[];
  rowCount: number;
  data: TableCell[][];
  /** Per image column: the annotations its `<sha256>#<n>` cells name (at most `TABLE_LIMITS.annotations` in a table). */
  annotations?: Record<string, TableCellAnnotation[]>;
}
export const TABLE_DOCUMENT_FORMAT = 'trackbase.table/1';
export const TABLE_DOCUMENT_CONTENT_TYPE = 'application/vnd.trackbase.table+json';

const tableKeySchema = z
  .string()
  .min(1)
  .max(TABLE_LIMITS.keyLength)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');

export const tableDeclarationSchema = z.strictObject({
  key: tableKeySchema,
  step: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  size: z.number().int().min(0),
  sha256: sha256HexSchema,
});
export type TableDeclaration = z.infer<typeof tableDeclarationSchema>;

export const declareTablesRequestSchema = z.strictObject({
  tables: z.array(tableDeclarationSchema).min(1).max(TABLE_LIMITS.tablesPerRequest),
});
export type DeclareTablesRequest = z.infer<typeof declareTablesRequestSchema>;

export const tableInfoSchema = z.object({
  key: z.string(),
  step: z.number(),
  columns: z.array(tableColumnSchema),
  rowCount: z.number(),
  /** SHA-256 of the uploaded document. */
  digest: z.string(),
  createdAt: z.string(),
});
export type TableInfo = z.infer<typeof tableInfoSchema>;

/**
 * One declared table: `ready` (stored and queryable), `upload` (send the document with
 * the plan, complete the upload, then declare it again) or `rejected` (for good: its
 * `error` says why; the other tables of the request are not affected).
 */
export const tableResultSchema = z.object({
  key: z.string(),
  step: z.number(),
  state: z.enum(['ready', 'upload', 'rejected']),
  table: tableInfoSchema.optional(),
  upload: uploadPlanSchema.optional(),
  error: z.object({ code: z.string(), message: z.string(), status: z.number() }).optional(),
});
export type TableResult = z.infer<typeof tableResultSchema>;

export const declareTablesResponseSchema = z.object({ tables: z.array(tableResultSchema) });
export type DeclareTablesResponse = z.infer<typeof declareTablesResponseSchema>;

export const tableListSchema = z.object({ tables: z.array(tableInfoSchema) });
export type TableList = z.infer<typeof tableListSchema>;

export const tableRowsQuerySchema = z.strictObject({
  step: z.coerce.number().int().min(0).optional(),
  /** The filter language over the table's columns: `label = "cat" AND score > 0.5`. */
  filter: z.string().max(4_000).optional(),
  /** Column names separated by commas, `-` for descending. */
  sort: z.string().max(4_000).optional(),
  limit: z.coerce.number().int().min(1).max(TABLE_LIMITS.pageSize).default(50),
  offset: z.coerce.number().int().min(0).max(TABLE_LIMITS.maxRows).default(0),
});
export type TableRowsQuery = z.infer<typeof tableRowsQuerySchema>;

export const tableCellSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** What a media cell of a page names: its content (signed URL), the server's thumbnail for images, what decoding found. */
export const tableMediaSchema = z.object({
  type: z.enum(TABLE_MEDIA_TYPES),
  contentType: z.string(),
  url: z.string(),
  thumbnailUrl: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  duration: z.number().nullable(),
  sampleRate: z.number().nullable(),
});
export type TableMedia = z.infer<typeof tableMediaSchema>;

/** An annotated image cell of a page as read back: caption, boxes, and masks with signed URLs. */
export const tableCellAnnotationViewSchema = z.object({
  caption: z.string().optional(),
  boxes: z.record(z.string(), boxGroupSchema).optional(),
  masks: z.record(z.string(), z.object({ classNames: z.record(z.string(), z.string()).optional(), url: z.string() })).optional(),
});
export type TableCellAnnotationView = z.infer<typeof tableCellAnnotationViewSchema>;

export const tableRowsSchema = z.object({
  table: tableInfoSchema,
  /** Rows matching the filter (all rows without one). */
  matchedRows: z.number(),
  offset: z.number(),
  rows: z.array(z.array(tableCellSchema)),
  /** The media cells of these rows, by SHA-256 (the cell's value); absent when the table has no media column. */
  media: z.record(z.string(), tableMediaSchema).optional(),
  /** Annotated image cells (`<sha256>#<n>`) of these rows, by `<column index in the page>#<n>`. */
  annotations: z.record(z.string(), tableCellAnnotationViewSchema).optional(),
});
export type TableRows = z.infer<typeof tableRowsSchema>;

export const tableColumnStatsSchema = z.object({
  name: z.string(),
  type: z.enum(TABLE_COLUMN_TYPES),
  nulls: z.number(),
  distinct: z.number(),
  min: tableCellSchema.optional(),
  max: tableCellSchema.optional(),
  mean: z.number().nullable().optional(),
  /** Most frequent values, most frequent first. */
  top: z.array(z.object({ value: tableCellSchema, count: z.number() })),
});
export type TableColumnStats = z.infer<typeof tableColumnStatsSchema>;

export const tableStatsSchema = z.object({
  table: tableInfoSchema,
  matchedRows: z.number(),
  columns: z.array(tableColumnStatsSchema),
});
export type TableStats = z.infer<typeof tableStatsSchema>;

export const compareTablesQuerySchema = z.strictObject({
  key: z.string().min(1).max(TABLE_LIMITS.keyLength),
  /** Run keys or ids, separated by commas (two to four). */
  runs: z.string().min(1).max(1_000),
  /** The column the tables are joined on. */
  on: z.string().min(1).max(TABLE_LIMITS.columnNameLength),
  limit: z.coerce.number().int().min(1).max(TABLE_LIMITS.pageSize).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type CompareTablesQuery = z.infer<typeof compareTablesQuerySchema>;

export const compareTablesSchema = z.object({
  on: z.string(),
  /** Each run's table (its latest step), in the order asked. */
  runs: z.array(z.object({ run: z.string(), table: tableInfoSchema })),
  /** Headers of the row cells: the join column, then each run's other columns (`run` names whose). */
  columns: z.array(z.object({ name: z.string(), type: z.enum(TABLE_COLUMN_TYPES), run: z.string().optional() })),
  matchedRows: z.number(),
  offset: z.number(),
  rows: z.array(z.array(tableCellSchema)),
  /** The media cells of these rows, by SHA-256 (the cell's value and the run it belongs to are in `columns`). */
  media: z.record(z.string(), tableMediaSchema).optional(),
  /** Annotated image cells of these rows, by `<column index in the page>#<n>` (each run's own annotations). */
  annotations: z.record(z.string(), tableCellAnnotationViewSchema).optional(),
});
export type CompareTables = z.infer<typeof compareTablesSchema>;
