import { z } from 'zod';
import { createZodDto } from 'nestjs-zod';

export class CsvQueryDto extends createZodDto(z.strictObject({ kind: z.enum(['metric', 'system']).default('metric') })) {}
