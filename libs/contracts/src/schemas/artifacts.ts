import { z } from 'zod';
import { fileDeclarationSchema, fileUploadResultSchema, sha256HexSchema, STORAGE_LIMITS, storedFileSchema } from './storage';

/**
 * Versioned artifacts: a named artifact of a project (a dataset, a model, or
 * anything else) has immutable versions v1, v2, … and movable aliases. A
 * version is a set of files (or a reference to data outside Trackbase)
 * identified by the hash of its manifest, so identical content is one version.
 */
export const ArtifactErrorCode = {
  DraftNotPending: 'artifact_draft_not_pending',
  KindMismatch: 'artifact_kind_mismatch',
  AliasReserved: 'artifact_alias_reserved',
  InvalidVersionRef: 'invalid_artifact_version',
} as const;

/** Well-known kinds; any other lowercase word is accepted too (`predictions`, `plots`). */
export const ARTIFACT_KINDS = ['dataset', 'model'] as const;

export const artifactKindSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be a lowercase word such as dataset, model or predictions');

export const artifactNameSchema = z
  .string()
  .min(1)
  .max(STORAGE_LIMITS.artifactNameLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore, starting with a letter or digit');

/** `latest` is moved by the server to each new version; `v<number>` names versions themselves. */
export const aliasSchema = z
  .string()
  .min(1)
  .max(STORAGE_LIMITS.aliasLength)
  .regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'must start with a letter; letters, digits, dot, dash, underscore')
  .refine((a) => !/^v\d+$/.test(a), 'v<number> names a version and cannot be an alias');

/** Free-form, with well-known keys the web app shows specially. */
export const versionMetadataSchema = z
  .object({
    metrics: z.record(z.string().max(250), z.number()).optional(),
    schema: z.unknown().optional(),
    statistics: z.unknown().optional(),
  })
  .catchall(z.unknown());
export type VersionMetadata = z.infer<typeof versionMetadataSchema>;

/** Data that stays where it is (S3, GCS, HTTP), identified by a hash as MLflow and Polyaxon allow. */
export const artifactReferenceSchema = z.strictObject({
  uri: z
    .string()
    .min(1)
    .max(2_048)
    .regex(/^[a-z][a-z0-9+.-]*:\/\//, 'must be a URI such as s3://bucket/key or https://…'),
  digest: z.string().min(1).max(200),
  size: z.number().int().min(0).optional(),
});

export const createVersionRequestSchema = z
  .strictObject({
    kind: artifactKindSchema,
    description: z.string().max(10_000).optional(),
    metadata: versionMetadataSchema.optional(),
    /** The run that produced this version (its id or key, e.g. VIS-12). */
    run: z.string().min(1).max(100).optional(),
    files: z.array(fileDeclarationSchema).max(STORAGE_LIMITS.filesPerRequest).optional(),
    reference: artifactReferenceSchema.optional(),
    aliases: z.array(aliasSchema).max(20).optional(),
    /**
     * More files follow (a version of more than 1,000 files): the draft is kept open for
     * `POST …/versions/{draft}/files`, and identical content is recognised when it is committed.
     */
    partial: z.boolean().optional(),
  })
  .refine((v) => Boolean(v.files?.length) !== Boolean(v.reference), 'give either files or a reference')
  .refine((v) => !(v.partial && v.reference), 'a reference is never partial');
export type CreateVersionRequest = z.infer<typeof createVersionRequestSchema>;

export const artifactVersionSchema = z.object({
  id: z.string(),
  artifact: z.string(),
  kind: z.string(),
  /** `v3`; null while a draft waits for its files. */
  version: z.string().nullable(),
  state: z.enum(['draft', 'committed']),
  digest: z.string(),
  description: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  reference: z.object({ uri: z.string(), digest: z.string(), size: z.number().nullable() }).nullable(),
  fileCount: z.number(),
  size: z.number(),
  aliases: z.array(z.string()),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  producer: z.object({ id: z.string(), key: z.string(), name: z.string() }).nullable(),
  consumers: z.array(z.object({ id: z.string(), key: z.string(), name: z.string() })),
});
export type ArtifactVersion = z.infer<typeof artifactVersionSchema>;

export const createVersionResponseSchema = z.object({
  version: artifactVersionSchema,
  /** false: identical content was already a version; that version is returned and nothing needs uploading. */
  created: z.boolean(),
  uploads: z.array(fileUploadResultSchema),
});
export type CreateVersionResponse = z.infer<typeof createVersionResponseSchema>;

export const artifactSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  description: z.string(),
  versionCount: z.number(),
  latest: z.string().nullable(),
  aliases: z.record(z.string(), z.string()),
  size: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Artifact = z.infer<typeof artifactSchema>;

export const artifactDetailSchema = artifactSchema.extend({ versions: z.array(artifactVersionSchema) });
export type ArtifactDetail = z.infer<typeof artifactDetailSchema>;

export const versionFilesSchema = z.object({ files: z.array(storedFileSchema) });

export const setAliasRequestSchema = z.strictObject({ version: z.string().min(1).max(50) });
export const useVersionRequestSchema = z.strictObject({ run: z.string().min(1).max(100) });

export const manifestEntrySchema = z.object({ path: z.string(), size: z.number(), sha256: sha256HexSchema });
