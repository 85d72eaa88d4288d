import { markNotificationsReadRequestSchema, notificationListSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class NotificationListDto extends createZodDto(notificationListSchema) {}

export class MarkReadDto extends createZodDto(markNotificationsReadRequestSchema) {}

export class ListQueryDto extends createZodDto(
  z.strictObject({
    unread: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  }),
) {}
