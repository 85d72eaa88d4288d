import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

const flag = z.enum(['true', 'false']).optional();

export class ExportArchiveQueryDto extends createZodDto(
  z.strictObject({
    filter: z.string().max(4_000).optional(),
    /** `false` leaves the runs' files out. */
    files: flag,
    /** `false` leaves the artifact versions out. */
    artifacts: flag,
  }),
) {}
