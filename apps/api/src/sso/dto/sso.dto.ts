import { slugSchema, ssoDiscoveryResponseSchema, ssoExchangeRequestSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class DiscoverQueryDto extends createZodDto(z.object({ email: z.string().min(3).max(320) })) {}

export class StartQueryDto extends createZodDto(z.object({ returnTo: z.string().max(1000).optional() })) {}

export class OrgParamDto extends createZodDto(z.object({ org: slugSchema })) {}

export class DiscoveryDto extends createZodDto(ssoDiscoveryResponseSchema) {}

export class ExchangeDto extends createZodDto(ssoExchangeRequestSchema) {}
