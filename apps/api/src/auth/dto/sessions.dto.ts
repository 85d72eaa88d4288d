import { sessionSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class SessionDto extends createZodDto(sessionSchema) {}
