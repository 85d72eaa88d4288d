import {
  addSsoDomainRequestSchema,
  domainSchema,
  putSsoConfigRequestSchema,
  slugSchema,
  ssoConfigSchema,
  ssoDomainSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class SsoConfigDto extends createZodDto(ssoConfigSchema) {}
export class PutSsoConfigDto extends createZodDto(putSsoConfigRequestSchema) {}
export class SsoDomainDto extends createZodDto(ssoDomainSchema) {}
export class AddSsoDomainDto extends createZodDto(addSsoDomainRequestSchema) {}
export class SsoDomainParamDto extends createZodDto(z.object({ org: slugSchema, domain: domainSchema })) {}
