import { sharedReportSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class SharedReportDto extends createZodDto(sharedReportSchema) {}

export class TokenParamDto extends createZodDto(z.object({ token: z.string().min(1).max(200) }).loose()) {}
