import {
  createSavedViewRequestSchema,
  savedViewListSchema,
  savedViewSchema,
  setDefaultViewRequestSchema,
  updateSavedViewRequestSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class CreateSavedViewDto extends createZodDto(createSavedViewRequestSchema) {}

export class UpdateSavedViewDto extends createZodDto(updateSavedViewRequestSchema) {}

export class SetDefaultViewDto extends createZodDto(setDefaultViewRequestSchema) {}

export class SavedViewDto extends createZodDto(savedViewSchema) {}

export class SavedViewListDto extends createZodDto(savedViewListSchema) {}

export class ViewParamDto extends createZodDto(z.object({ view: z.string().min(1).max(100) }).loose()) {}
