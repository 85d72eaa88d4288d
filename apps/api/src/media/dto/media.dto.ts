import { mediaGridRequestSchema, mediaGridSchema, mediaKeysSchema, mediaListSchema, MEDIA_LIMITS } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

const step = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export class MediaListQueryDto extends createZodDto(
  z.strictObject({
    key: z.string().min(1).max(MEDIA_LIMITS.keyLength),
    fromStep: step.optional(),
    toStep: step.optional(),
    limit: z.coerce.number().int().min(1).max(MEDIA_LIMITS.readItems).optional(),
  }),
) {}

export class MediaDocumentQueryDto extends createZodDto(
  z.strictObject({
    key: z.string().min(1).max(MEDIA_LIMITS.keyLength),
    step,
    index: z.coerce
      .number()
      .int()
      .min(0)
      .max(MEDIA_LIMITS.itemsPerStep - 1)
      .default(0),
  }),
) {}

export class MediaDocumentDto extends createZodDto(
  z.object({ contentType: z.string(), format: z.string().nullable(), text: z.string() }),
) {}
export class MediaListDto extends createZodDto(mediaListSchema) {}
export class MediaKeysDto extends createZodDto(mediaKeysSchema) {}
export class MediaGridRequestDto extends createZodDto(mediaGridRequestSchema) {}
export class MediaGridDto extends createZodDto(mediaGridSchema) {}
