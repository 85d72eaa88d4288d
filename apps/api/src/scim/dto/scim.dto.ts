import { createScimTokenRequestSchema, createdScimTokenSchema, scimTokenSchema, slugSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class ScimTokenDto extends createZodDto(scimTokenSchema) {}
export class CreatedScimTokenDto extends createZodDto(createdScimTokenSchema) {}
export class CreateScimTokenDto extends createZodDto(createScimTokenRequestSchema) {}
export class ScimTokenParamsDto extends createZodDto(z.object({ org: slugSchema, id: z.uuid() })) {}

/** A SCIM resource body (User or Group): attributes are checked against the published schema by the services. */
export const scimResourceBodySchema = z.record(z.string(), z.unknown());
export class ScimResourceBodyDto extends createZodDto(scimResourceBodySchema) {}

const patchOperationSchema = z.looseObject({
  op: z.string().max(20),
  path: z.string().max(4096).optional(),
  value: z.unknown().optional(),
});

/** RFC 7644 section 3.5.2: `{schemas: [PatchOp], Operations: [...]}` (some clients spell it `operations`). */
export const scimPatchBodySchema = z.preprocess(
  (body) =>
    body && typeof body === 'object' && !Array.isArray(body) && !('Operations' in body) && 'operations' in body
      ? { ...body, Operations: (body as { operations: unknown }).operations }
      : body,
  z.looseObject({
    schemas: z.array(z.string()).optional(),
    Operations: z.array(patchOperationSchema).min(1).max(1000),
  }),
);
export class ScimPatchBodyDto extends createZodDto(scimPatchBodySchema) {}

const listText = z.string().max(4096).optional();
/** `GET /Users?filter=...&startIndex=1&count=100&attributes=...&excludedAttributes=...` (RFC 7644 section 3.4.2). */
export const scimListQuerySchema = z.looseObject({
  filter: listText,
  startIndex: listText,
  count: listText,
  attributes: listText,
  excludedAttributes: listText,
  sortBy: listText,
  sortOrder: listText,
});
export class ScimListQueryDto extends createZodDto(scimListQuerySchema) {}

/** `POST /.search` and `POST /Users/.search` (RFC 7644 section 3.4.3). */
export const scimSearchBodySchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  filter: z.string().max(4096).optional(),
  startIndex: z.number().int().optional(),
  count: z.number().int().optional(),
  attributes: z.array(z.string().max(512)).max(100).optional(),
  excludedAttributes: z.array(z.string().max(512)).max(100).optional(),
  sortBy: z.string().max(512).optional(),
  sortOrder: z.string().max(20).optional(),
});
export class ScimSearchBodyDto extends createZodDto(scimSearchBodySchema) {}

export class ScimIdParamsDto extends createZodDto(z.object({ org: z.string().max(200), id: z.string().max(200) })) {}
