import { putReadmeRequestSchema, readmeDiffQuerySchema, readmeDiffSchema, readmeHistorySchema, readmeSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class ReadmeDto extends createZodDto(readmeSchema) {}

export class ReadmeHistoryDto extends createZodDto(readmeHistorySchema) {}

export class ReadmeDiffDto extends createZodDto(readmeDiffSchema) {}

export class PutReadmeDto extends createZodDto(putReadmeRequestSchema) {}

export class DiffQueryDto extends createZodDto(readmeDiffQuerySchema) {}

export class VersionParamDto extends createZodDto(z.object({ version: z.coerce.number().int().min(1).max(2_000_000_000) }).loose()) {}
