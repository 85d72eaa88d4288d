import { runColumnListSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class RunColumnListDto extends createZodDto(runColumnListSchema) {}
