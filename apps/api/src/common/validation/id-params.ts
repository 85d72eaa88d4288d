import { z } from 'zod';
import { createZodDto } from 'nestjs-zod';

/** Route ids are UUIDs; anything else is a 404 before it reaches a query. */
export const uuidParam = z.uuid();

export class IdParamDto extends createZodDto(z.object({ id: uuidParam }).loose()) {}
export class UserIdParamDto extends createZodDto(z.object({ userId: uuidParam }).loose()) {}
