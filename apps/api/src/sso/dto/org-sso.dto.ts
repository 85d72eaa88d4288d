import { putSsoConfigRequestSchema, ssoConfigSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class SsoConfigDto extends createZodDto(ssoConfigSchema) {}

export class PutSsoConfigDto extends createZodDto(putSsoConfigRequestSchema) {}
