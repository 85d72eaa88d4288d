import { slugSchema, ssoDiscoveryResponseSchema, ssoExchangeRequestSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class DiscoverQueryDto extends createZodDto(z.object({ email: z.string().min(3).max(320) })) {}

export class StartQueryDto extends createZodDto(z.object({ returnTo: z.string().max(1000).optional() })) {}

export class OrgParamDto extends createZodDto(z.object({ org: slugSchema })) {}

export class DiscoveryDto extends createZodDto(ssoDiscoveryResponseSchema) {}

export class ExchangeDto extends createZodDto(ssoExchangeRequestSchema) {}
/** What an IdP posts to the ACS (HTTP-POST binding). */
export class SamlAcsDto extends createZodDto(
  z.object({ SAMLResponse: z.string().min(1).max(1_000_000), RelayState: z.string().max(512).optional() }),
) {}
export class SamlReturnQueryDto extends createZodDto(z.object({ state: z.string().min(1).max(512) })) {}
