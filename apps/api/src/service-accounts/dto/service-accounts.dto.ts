import { createdServiceAccountSchema, createServiceAccountRequestSchema, serviceAccountSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** A service account's keys have the shape of a person's (users/dto). */
export { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from '../../users/dto/users.dto';

export class ServiceAccountDto extends createZodDto(serviceAccountSchema) {}

export class CreatedServiceAccountDto extends createZodDto(createdServiceAccountSchema) {}

export class CreateServiceAccountDto extends createZodDto(createServiceAccountRequestSchema) {}

export class KeyParamsDto extends createZodDto(z.object({ id: z.uuid(), keyId: z.uuid() }).loose()) {}
