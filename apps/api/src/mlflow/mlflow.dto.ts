import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/**
 * Request bodies as the MLflow client sends them (protobuf JSON, snake_case).
 * Unknown fields are accepted: 3.x sends more than 2.x, and a strict schema
 * would break the client. GET parameters arrive as strings (repeated keys as lists).
 */
const id = z.string().min(1).max(256);
const key = z.string().min(1).max(250);
const int64 = z.coerce.number().int().min(-8.64e15).max(8.64e15);
const tag = z.object({ key, value: z.string().max(8000).nullish() }).loose();
const listOf = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item));
/** MLflow writes NaN and infinities as the protobuf JSON strings. */
export const metricValue = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

export const metricSchema = z
  .object({ key, value: metricValue, timestamp: int64.refine((t) => t >= 0, 'must be >= 0'), step: int64.default(0) })
  .loose();
export type MlflowMetric = z.infer<typeof metricSchema>;
export const paramSchema = z.object({ key, value: z.string().max(6000) }).loose();

export class CreateExperimentDto extends createZodDto(
  z
    .object({
      name: z.string().min(1).max(500),
      artifact_location: z.string().max(2000).optional(),
      tags: z.array(tag).max(100).optional(),
    })
    .loose(),
) {}
export class ExperimentIdDto extends createZodDto(z.object({ experiment_id: id }).loose()) {}
export class ExperimentByNameDto extends createZodDto(z.object({ experiment_name: z.string().min(1).max(500) }).loose()) {}
export class UpdateExperimentDto extends createZodDto(
  z.object({ experiment_id: id, new_name: z.string().min(1).max(500).optional() }).loose(),
) {}
export class ExperimentTagDto extends createZodDto(z.object({ experiment_id: id, key, value: z.string().max(5000).default('') }).loose()) {}
export class SearchExperimentsDto extends createZodDto(
  z
    .object({
      max_results: z.coerce.number().int().min(1).max(50_000).default(1000),
      page_token: z.string().max(4000).optional(),
      filter: z.string().max(4000).optional(),
      order_by: listOf(z.string().max(500)).optional(),
      view_type: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).default('ACTIVE_ONLY'),
    })
    .loose(),
) {}

export class CreateRunDto extends createZodDto(
  z
    .object({
      experiment_id: id.optional(),
      user_id: z.string().max(250).optional(),
      run_name: z.string().max(250).optional(),
      start_time: int64.optional(),
      tags: z.array(tag).max(1000).optional(),
    })
    .loose(),
) {}
/** `run_id`, or the legacy `run_uuid` that older clients send alone. */
const runRef = z
  .object({ run_id: id.optional(), run_uuid: id.optional() })
  .loose()
  .transform((v) => ({ ...v, run_id: (v.run_id ?? v.run_uuid) as string }))
  .refine((v) => !!v.run_id, { message: 'run_id is required', path: ['run_id'] });
export class RunIdDto extends createZodDto(runRef) {}
export class UpdateRunDto extends createZodDto(
  z
    .object({
      run_id: id.optional(),
      run_uuid: id.optional(),
      status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(),
      end_time: int64.optional(),
      run_name: z.string().max(250).optional(),
    })
    .loose()
    .transform((v) => ({ ...v, run_id: (v.run_id ?? v.run_uuid) as string }))
    .refine((v) => !!v.run_id, { message: 'run_id is required', path: ['run_id'] }),
) {}
export class LogMetricDto extends createZodDto(
  z
    .object({ run_id: id.optional(), run_uuid: id.optional() })
    .loose()
    .and(metricSchema)
    .transform((v) => ({ ...v, run_id: (v.run_id ?? v.run_uuid) as string }))
    .refine((v) => !!v.run_id, { message: 'run_id is required', path: ['run_id'] }),
) {}
export class LogParamDto extends createZodDto(
  z
    .object({ run_id: id.optional(), run_uuid: id.optional(), key, value: z.string().max(6000).default('') })
    .loose()
    .transform((v) => ({ ...v, run_id: (v.run_id ?? v.run_uuid) as string }))
    .refine((v) => !!v.run_id, { message: 'run_id is required', path: ['run_id'] }),
) {}
export class SetTagDto extends createZodDto(
  z
    .object({ run_id: id.optional(), run_uuid: id.optional(), key, value: z.string().max(5000).default('') })
    .loose()
    .transform((v) => ({ ...v, run_id: (v.run_id ?? v.run_uuid) as string }))
    .refine((v) => !!v.run_id, { message: 'run_id is required', path: ['run_id'] }),
) {}
export class DeleteTagDto extends createZodDto(z.object({ run_id: id, key }).loose()) {}
/** Limits are checked by the service (MLflow's own numbers, answered 400) rather than here. */
export class LogBatchDto extends createZodDto(
  z
    .object({
      run_id: id,
      metrics: z.array(metricSchema).max(100_000).optional(),
      params: z.array(paramSchema).max(100_000).optional(),
      tags: z.array(tag).max(100_000).optional(),
    })
    .loose(),
) {}
const dataset = z
  .object({
    name: z.string().min(1).max(500),
    digest: z.string().min(1).max(200),
    source_type: z.string().max(200).optional(),
    source: z.string().max(65_535).optional(),
    schema: z.string().max(1_048_576).optional(),
    profile: z.string().max(65_535).optional(),
  })
  .loose();
export class LogInputsDto extends createZodDto(
  z
    .object({
      run_id: id,
      datasets: z
        .array(z.object({ dataset, tags: z.array(tag).max(100).optional() }).loose())
        .max(1000)
        .optional(),
      models: z
        .array(z.object({ model_id: id }).loose())
        .max(1000)
        .optional(),
    })
    .loose(),
) {}
export class SearchRunsDto extends createZodDto(
  z
    .object({
      experiment_ids: listOf(id).default([]),
      filter: z.string().max(8000).optional(),
      run_view_type: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).default('ACTIVE_ONLY'),
      max_results: z.coerce.number().int().min(1).max(50_000).default(1000),
      order_by: listOf(z.string().max(500)).optional(),
      page_token: z.string().max(8000).optional(),
    })
    .loose(),
) {}
export class MetricHistoryDto extends createZodDto(
  z
    .object({
      run_id: id.optional(),
      run_uuid: id.optional(),
      metric_key: key,
      max_results: z.coerce.number().int().min(1).max(1_000_000).optional(),
      page_token: z.string().max(200).optional(),
    })
    .loose()
    .transform((v) => ({ ...v, run_id: (v.run_id ?? v.run_uuid) as string }))
    .refine((v) => !!v.run_id, { message: 'run_id is required', path: ['run_id'] }),
) {}
export class MetricHistoryBulkDto extends createZodDto(
  z
    .object({
      run_ids: listOf(id).pipe(z.array(id).min(1).max(100)),
      metric_key: key,
      start_step: z.coerce.number().int().optional(),
      end_step: z.coerce.number().int().optional(),
      max_results: z.coerce.number().int().min(1).max(2500).default(2500),
    })
    .loose(),
) {}
export class LogModelDto extends createZodDto(z.object({ run_id: id, model_json: z.string().min(2).max(1_000_000) }).loose()) {}
export class ArtifactListDto extends createZodDto(z.object({ path: z.string().max(2000).optional() }).loose()) {}

/** The proxy's multipart upload: `path` is the client's local file (its base name is the artifact's name). */
const mpuPath = z.string().min(1).max(4096);
export class CreateMultipartDto extends createZodDto(
  z.object({ path: mpuPath, num_parts: z.coerce.number().int().min(1).max(10_000) }).loose(),
) {}
export class CompleteMultipartDto extends createZodDto(
  z
    .object({
      path: mpuPath,
      upload_id: z.string().min(1).max(8000),
      parts: z
        .array(z.object({ part_number: z.coerce.number().int().min(1).max(10_000), etag: z.string().max(200).nullish() }).loose())
        .min(1)
        .max(10_000),
    })
    .loose(),
) {}
export class AbortMultipartDto extends createZodDto(z.object({ path: mpuPath, upload_id: z.string().min(1).max(8000) }).loose()) {}

const keyValues = z.array(z.object({ key, value: z.string().max(8000).nullish() }).loose()).max(1000);
export class CreateLoggedModelDto extends createZodDto(
  z
    .object({
      experiment_id: id,
      name: z.string().max(500).optional(),
      model_type: z.string().max(500).optional(),
      source_run_id: id.optional(),
      params: keyValues.optional(),
      tags: keyValues.optional(),
    })
    .loose(),
) {}
export class FinalizeLoggedModelDto extends createZodDto(z.object({ status: z.string().max(100).optional() }).loose()) {}
export class LoggedModelParamsDto extends createZodDto(z.object({ params: keyValues.optional() }).loose()) {}
export class LoggedModelTagsDto extends createZodDto(z.object({ tags: keyValues.optional() }).loose()) {}
export class SearchLoggedModelsDto extends createZodDto(
  z
    .object({
      experiment_ids: listOf(id).optional(),
      filter: z.string().max(8000).optional(),
      max_results: z.coerce.number().int().min(1).max(1000).optional(),
      page_token: z.string().max(200).optional(),
    })
    .loose(),
) {}
export class LogOutputsDto extends createZodDto(
  z
    .object({
      run_id: id,
      models: z
        .array(z.object({ model_id: id, step: z.coerce.number().int().optional() }).loose())
        .max(1000)
        .optional(),
    })
    .loose(),
) {}
export class ModelIdParamDto extends createZodDto(z.object({ modelId: id }).loose()) {}

const modelName = z.string().min(1).max(500);
export class RegisteredModelDto extends createZodDto(
  z.object({ name: modelName, description: z.string().max(100_000).optional(), tags: keyValues.optional() }).loose(),
) {}
export class RegisteredModelTagDto extends createZodDto(
  z.object({ name: modelName, key, value: z.string().max(5000).default('') }).loose(),
) {}
const versionNumber = z.coerce.string().regex(/^\d{1,9}$/);
export class ModelVersionDto extends createZodDto(z.object({ name: modelName, version: versionNumber }).loose()) {}
export class UpdateModelVersionDto extends createZodDto(
  z.object({ name: modelName, version: versionNumber, description: z.string().max(10_000).optional() }).loose(),
) {}
/** MLflow 2.x's stages, in any case, as its server accepts them. */
export class TransitionStageDto extends createZodDto(
  z
    .object({
      name: modelName,
      version: versionNumber,
      stage: z.string().max(50),
      archive_existing_versions: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
    })
    .loose(),
) {}
export class ModelVersionTagDto extends createZodDto(
  z.object({ name: modelName, version: versionNumber, key, value: z.string().max(5000).default('') }).loose(),
) {}
export class RenameRegisteredModelDto extends createZodDto(z.object({ name: modelName, new_name: modelName }).loose()) {}
export class LatestVersionsDto extends createZodDto(
  z.object({ name: modelName, stages: z.array(z.string().max(50)).max(10).optional() }).loose(),
) {}
export class CreateModelVersionDto extends createZodDto(
  z
    .object({
      name: modelName,
      source: z.string().min(1).max(4000),
      run_id: id.optional(),
      model_id: id.optional(),
      description: z.string().max(10_000).optional(),
    })
    .loose(),
) {}
export class AliasDto extends createZodDto(
  z
    .object({
      name: modelName,
      alias: z.string().min(1).max(64),
      version: z.coerce
        .string()
        .regex(/^\d{1,9}$/)
        .optional(),
    })
    .loose(),
) {}
export class RegistrySearchDto extends createZodDto(
  z.object({ filter: z.string().max(4000).optional(), max_results: z.coerce.number().int().min(1).max(200_000).optional() }).loose(),
) {}
