import { z } from 'zod';

/**
 * Trash and retention. Deleting a run, an artifact, an artifact version or a project moves
 * it to a trash for TRASH_RETENTION_DAYS: hidden everywhere as if gone,
 * restorable by maintainers, then purged by the storage janitor. Retention
 * policies move what they match into the same trash.
 */
export const TRASH_KINDS = ['run', 'artifact', 'artifact_version', 'project'] as const;
export const trashKindSchema = z.enum(TRASH_KINDS);
export type TrashKind = z.infer<typeof trashKindSchema>;
/** What a project's trash holds (projects are in the organization's). */
export const PROJECT_TRASH_KINDS = ['run', 'artifact', 'artifact_version'] as const;
export type ProjectTrashKind = (typeof PROJECT_TRASH_KINDS)[number];

export const trashItemSchema = z.object({
  kind: trashKindSchema,
  id: z.string().uuid(),
  /** What a person recognises: `proj-12 (name)` for a run, the name for an artifact, `model:v3` for a version, the slug for a project. */
  label: z.string(),
  deletedAt: z.string(),
  deletedBy: z.string().uuid().nullable(),
  /** When the storage janitor purges it for good. */
  purgeAfter: z.string(),
  /** Bytes of stored files it holds (freed at purge when no other live item shares them). */
  sizeBytes: z.number().int().nonnegative(),
});
export type TrashItem = z.infer<typeof trashItemSchema>;

export const trashListSchema = z.object({ items: z.array(trashItemSchema) });
export type TrashList = z.infer<typeof trashListSchema>;

export const RETENTION_SCHEDULES = ['manual', 'daily'] as const;
export const retentionScheduleSchema = z.enum(RETENTION_SCHEDULES);
export type RetentionSchedule = z.infer<typeof retentionScheduleSchema>;

export const retentionPolicySchema = z.strictObject({
  /** Keep the newest N committed versions of each artifact; aliased versions are never removed. */
  keepLastVersions: z.number().int().min(1).max(100_000).nullable().default(null),
  /** Delete the files of failed and crashed runs that ended at least N days ago. */
  failedRunFilesDays: z.number().int().min(0).max(36_500).nullable().default(null),
  /** Move runs matching this filter (the runs table's filter language) to the trash once created N days ago. */
  runFilter: z.string().min(1).max(4_000).nullable().default(null),
  runFilterDays: z.number().int().min(0).max(36_500).nullable().default(null),
  /** `manual`: applies only when asked; `daily`: the server applies it once a day (first a day after it is set to daily). */
  schedule: retentionScheduleSchema.default('manual'),
});
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;

export const retentionPolicyResponseSchema = retentionPolicySchema.extend({
  updatedAt: z.string().nullable(),
  /** When the policy was last applied (by hand or by its schedule). */
  lastAppliedAt: z.string().nullable(),
  /** When the schedule applies it next; null for a manual policy. */
  nextApplyAt: z.string().nullable(),
});
export type RetentionPolicyResponse = z.infer<typeof retentionPolicyResponseSchema>;

/** What a policy removes: with `dryRun` (preview) nothing changes, otherwise exactly these went. */
export const retentionPlanSchema = z.object({
  dryRun: z.boolean(),
  /** Versions moved to the trash. */
  artifactVersions: z.array(z.object({ id: z.string().uuid(), artifact: z.string(), version: z.string() })),
  /** Runs moved to the trash. */
  runs: z.array(z.object({ id: z.string().uuid(), key: z.string() })),
  /** Files of failed or crashed runs, deleted (files have no trash; their storage is freed by the janitor). */
  runFiles: z.array(z.object({ runId: z.string().uuid(), runKey: z.string(), path: z.string() })),
});
export type RetentionPlan = z.infer<typeof retentionPlanSchema>;

export const TrashErrorCode = {
  /** A retention policy names a run filter without days, or days without a filter. */
  InvalidRetentionPolicy: 'invalid_retention_policy',
  /** A trashed artifact cannot be restored while a live artifact of the project has its name. */
  ArtifactNameTaken: 'artifact_name_taken',
} as const;
