import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class ExportQueryDto extends createZodDto(z.strictObject({ filter: z.string().max(4_000).optional() })) {}
