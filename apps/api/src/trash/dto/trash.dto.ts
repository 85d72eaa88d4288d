import { PROJECT_TRASH_KINDS, trashListSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { uuidParam } from '../../common/validation/id-params';

export class TrashListDto extends createZodDto(trashListSchema) {}

export class ItemParamDto extends createZodDto(z.object({ kind: z.enum(PROJECT_TRASH_KINDS), id: uuidParam }).loose()) {}

export class ProjectParamDto extends createZodDto(z.object({ id: uuidParam }).loose()) {}
