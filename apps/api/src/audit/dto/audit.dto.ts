import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class AuditQueryDto extends createZodDto(
  z.strictObject({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z
      .string()
      .regex(/^\d{1,19}$/)
      .optional(),
  }),
) {}
