import {
  artifactKindSchema,
  batchAckSchema,
  createRunRequestSchema,
  lineageGraphSchema,
  runBatchSchema,
  runDetailSchema,
  runListSchema,
  runSchema,
  SERIES_KINDS,
  seriesDataSchema,
  seriesQueryRequestSchema,
  seriesQueryResponseSchema,
  updateRunRequestSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class CreateRunDto extends createZodDto(createRunRequestSchema) {}
export class UpdateRunDto extends createZodDto(updateRunRequestSchema) {}
export class RunBatchDto extends createZodDto(runBatchSchema) {}
export class BatchAckDto extends createZodDto(batchAckSchema) {}
export class RunDto extends createZodDto(runSchema) {}
export class RunDetailDto extends createZodDto(runDetailSchema) {}
export class RunListDto extends createZodDto(runListSchema) {}
export class SeriesDataDto extends createZodDto(seriesDataSchema) {}
export class SeriesQueryDto extends createZodDto(seriesQueryRequestSchema) {}
export class SeriesQueryResponseDto extends createZodDto(seriesQueryResponseSchema) {}

export class RunParamDto extends createZodDto(z.object({ run: z.string().min(1).max(100) }).loose()) {}

const csv = z
  .string()
  .max(20_000)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const step = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const seriesQueryFields = {
  /** Comma-separated series names; all of the kind when omitted. */
  names: csv.optional(),
  kind: z.enum(SERIES_KINDS).default('metric'),
  from: step.default(0),
  to: step.default(Number.MAX_SAFE_INTEGER),
  maxPoints: z.coerce.number().int().min(2).max(100_000).default(1_000),
  /** Text series only: lines containing this text. */
  search: z.string().min(1).max(500).optional(),
};

export class RunSeriesQueryDto extends createZodDto(z.strictObject(seriesQueryFields)) {}

export class ProjectSeriesQueryDto extends createZodDto(
  z.strictObject({ ...seriesQueryFields, runs: csv.pipe(z.array(z.string().min(1).max(100)).min(1).max(100)) }),
) {}

export class ListRunsQueryDto extends createZodDto(
  z.strictObject({
    filter: z.string().max(4_000).optional(),
    sort: z.string().max(1_000).optional(),
    columns: csv.pipe(z.array(z.string().max(300)).max(200)).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(50),
    cursor: z.string().max(4_000).optional(),
  }),
) {}

export class LineageGraphDto extends createZodDto(lineageGraphSchema) {}

export class LineageQueryDto extends createZodDto(
  z
    .strictObject({
      run: z.string().min(1).max(100).optional(),
      /** A dataset or model a run named, or a stored artifact of any kind. */
      kind: artifactKindSchema.optional(),
      name: z.string().min(1).max(250).optional(),
      version: z.string().min(1).max(100).optional(),
      direction: z.enum(['upstream', 'downstream', 'both']).default('both'),
      depth: z.coerce.number().int().min(1).max(10).default(3),
    })
    .refine((q) => !!q.run !== !!(q.kind && q.name), { message: 'give either run, or kind and name', path: ['run'] }),
) {}

export class SeriesFileParamDto extends createZodDto(
  z
    .object({
      run: z.string().min(1).max(100),
      file: z
        .string()
        .min(5)
        .max(300)
        .regex(/\.csv$/, 'must end with .csv'),
    })
    .loose(),
) {}
