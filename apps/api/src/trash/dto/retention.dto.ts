import { retentionPlanSchema, retentionPolicyResponseSchema, retentionPolicySchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class RetentionPolicyDto extends createZodDto(retentionPolicySchema) {}

export class RetentionPolicyResponseDto extends createZodDto(retentionPolicyResponseSchema) {}

export class RetentionPlanDto extends createZodDto(retentionPlanSchema) {}
