import { z } from 'zod';

/**
 * Files: run files and artifact files share one upload mechanism. A client
 * declares what it will send (path, size, SHA-256); the server answers with
 * upload plans of presigned URLs, records each part as it lands, and verifies
 * size and SHA-256 before a file becomes available.
 */
export const STORAGE_LIMITS = {
  filesPerRequest: 1_000,
  pathLength: 1_024,
  pathSegmentLength: 255,
  /** S3's own limits: 10,000 parts, 5 GiB a part, 5 TiB an object. */
  maxParts: 10_000,
  maxFileBytes: 5 * 1024 ** 4,
  minPartBytes: 5 * 1024 * 1024,
  partUrlsPerRequest: 100,
  previewBytes: 64 * 1024,
  previewRows: 50,
  aliasLength: 64,
  artifactNameLength: 128,
  metadataBytes: 256 * 1024,
} as const;

export const StorageErrorCode = {
  InvalidPath: 'invalid_path',
  ChecksumMismatch: 'checksum_mismatch',
  PartChecksumMismatch: 'part_checksum_mismatch',
  UploadIncomplete: 'upload_incomplete',
  UploadNotPending: 'upload_not_pending',
  QuotaExceeded: 'storage_quota_exceeded',
  InvalidSignature: 'invalid_signature',
  UrlExpired: 'url_expired',
  FileTooLarge: 'file_too_large',
  NotAFile: 'not_a_file',
  ArchiveTooLarge: 'archive_too_large',
  /** The artifact store has no room left (a full disk, a store answering 507): nothing partial is kept. */
  StorageFull: 'storage_full',
} as const;

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256 digest');
export const md5Base64Schema = z.string().regex(/^[A-Za-z0-9+/]{22}==$/, 'must be a base64 MD5 digest (as in Content-MD5)');

/**
 * A path inside a run or an artifact version: relative, `/`-separated, no
 * `.` or `..` segments, no control characters, no backslashes. The server
 * normalises (collapses repeated slashes) and refuses what would escape.
 */
export const filePathSchema = z.string().min(1).max(STORAGE_LIMITS.pathLength);

export const contentTypeSchema = z
  .string()
  .max(255)
  .regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, 'must be a MIME type such as text/csv');

export const fileDeclarationSchema = z.strictObject({
  path: filePathSchema,
  size: z.number().int().min(0).max(STORAGE_LIMITS.maxFileBytes),
  sha256: sha256HexSchema,
  contentType: contentTypeSchema.optional(),
});
export type FileDeclaration = z.infer<typeof fileDeclarationSchema>;

export const uploadPlanSchema = z.object({
  uploadId: z.uuid(),
  /** `single`: one PUT of the whole file to `url`. `multipart`: ask for part URLs, PUT each part, report it. */
  method: z.enum(['single', 'multipart']),
  size: z.number(),
  partSize: z.number(),
  partCount: z.number(),
  /** Parts already stored: an interrupted upload resumes from here. */
  completedParts: z.array(z.number()),
  url: z.string().optional(),
  /** Headers the PUT must carry exactly as given (they are part of the signature). */
  headers: z.record(z.string(), z.string()).optional(),
  expiresAt: z.string(),
});
export type UploadPlan = z.infer<typeof uploadPlanSchema>;

export const storedFileSchema = z.object({
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  contentType: z.string(),
  state: z.enum(['pending', 'available']),
  createdAt: z.string(),
});
export type StoredFile = z.infer<typeof storedFileSchema>;

export const fileUploadResultSchema = z.object({
  file: storedFileSchema,
  /** Absent when the content is already stored (a retry, or identical content): nothing to send. */
  upload: uploadPlanSchema.optional(),
});
export type FileUploadResult = z.infer<typeof fileUploadResultSchema>;

export const declareFilesRequestSchema = z.strictObject({
  files: z.array(fileDeclarationSchema).min(1).max(STORAGE_LIMITS.filesPerRequest),
});
export type DeclareFilesRequest = z.infer<typeof declareFilesRequestSchema>;

export const declareFilesResponseSchema = z.object({ files: z.array(fileUploadResultSchema) });
export type DeclareFilesResponse = z.infer<typeof declareFilesResponseSchema>;

export const partUrlsRequestSchema = z.strictObject({
  parts: z
    .array(z.strictObject({ partNumber: z.number().int().min(1).max(STORAGE_LIMITS.maxParts), md5: md5Base64Schema }))
    .min(1)
    .max(STORAGE_LIMITS.partUrlsPerRequest),
});
export type PartUrlsRequest = z.infer<typeof partUrlsRequestSchema>;

export const partUrlsResponseSchema = z.object({
  parts: z.array(z.object({ partNumber: z.number(), url: z.string(), headers: z.record(z.string(), z.string()) })),
  expiresAt: z.string(),
});
export type PartUrlsResponse = z.infer<typeof partUrlsResponseSchema>;

/** Reported after each part's PUT: the store's ETag must be the MD5 of the part the client meant to send. */
export const reportPartRequestSchema = z.strictObject({
  partNumber: z.number().int().min(1).max(STORAGE_LIMITS.maxParts),
  etag: z.string().min(1).max(200),
  md5: md5Base64Schema,
  size: z.number().int().min(0),
});
export type ReportPartRequest = z.infer<typeof reportPartRequestSchema>;

export const uploadStatusSchema = z.object({
  uploadId: z.string(),
  state: z.enum(['pending', 'available']),
  completedParts: z.array(z.number()),
  partCount: z.number(),
});
export type UploadStatus = z.infer<typeof uploadStatusSchema>;

export const completeUploadsRequestSchema = z.strictObject({
  uploads: z.array(z.uuid()).min(1).max(STORAGE_LIMITS.partUrlsPerRequest),
});
export type CompleteUploadsRequest = z.infer<typeof completeUploadsRequestSchema>;

/** Each upload answered on its own: `error` carries what a single completion would have answered (`checksum_mismatch`, …). */
export const completeUploadsResponseSchema = z.object({
  results: z.array(uploadStatusSchema.extend({ error: z.object({ code: z.string(), message: z.string() }).optional() })),
});
export type CompleteUploadsResponse = z.infer<typeof completeUploadsResponseSchema>;

export const fileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['file', 'dir']),
  /** Files: their size; directories: the total of the files below them. */
  size: z.number(),
  fileCount: z.number().optional(),
  sha256: z.string().optional(),
  contentType: z.string().optional(),
  state: z.enum(['pending', 'available']).optional(),
  createdAt: z.string().optional(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export const fileListingSchema = z.object({ prefix: z.string(), entries: z.array(fileEntrySchema) });
export type FileListing = z.infer<typeof fileListingSchema>;

export const signedUrlSchema = z.object({ url: z.string(), expiresAt: z.string() });
export type SignedUrl = z.infer<typeof signedUrlSchema>;

export const filePreviewSchema = z.object({
  path: z.string(),
  kind: z.enum(['text', 'json', 'csv', 'image', 'binary']),
  contentType: z.string(),
  size: z.number(),
  /** Text, JSON and CSV: the first bytes as text. */
  text: z.string().optional(),
  /** CSV: the first rows, split into cells. */
  rows: z.array(z.array(z.string())).optional(),
  truncated: z.boolean(),
  /** Images (and every kind): a short-lived download URL. */
  url: z.string(),
});
export type FilePreview = z.infer<typeof filePreviewSchema>;

export const storageUsageSchema = z.object({
  usedBytes: z.number(),
  /** null: no quota. */
  quotaBytes: z.number().nullable(),
});
export type StorageUsage = z.infer<typeof storageUsageSchema>;

export const setQuotaRequestSchema = z.strictObject({ quotaBytes: z.number().int().min(0).nullable() });

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  webm: 'video/webm',
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  parquet: 'application/vnd.apache.parquet',
};

/**
 * The content type SDKs declare for a file by its extension (undefined: the server's default,
 * application/octet-stream). HTML is left out on purpose: an SDK upload is never served as a page.
 */
export function contentTypeOfPath(path: string): string | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 || dot < path.lastIndexOf('/') ? undefined : CONTENT_TYPES[path.slice(dot + 1).toLowerCase()];
}
