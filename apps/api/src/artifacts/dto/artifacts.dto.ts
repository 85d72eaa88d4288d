import {
  aliasSchema,
  artifactDetailSchema,
  artifactKindSchema,
  artifactNameSchema,
  artifactSchema,
  artifactVersionSchema,
  createVersionRequestSchema,
  createVersionResponseSchema,
  setAliasRequestSchema,
  useVersionRequestSchema,
  versionFilesSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class CreateVersionDto extends createZodDto(createVersionRequestSchema) {}
export class CreateVersionResponseDto extends createZodDto(createVersionResponseSchema) {}
export class ArtifactDto extends createZodDto(artifactSchema) {}
export class ArtifactDetailDto extends createZodDto(artifactDetailSchema) {}
export class ArtifactVersionDto extends createZodDto(artifactVersionSchema) {}
export class VersionFilesDto extends createZodDto(versionFilesSchema) {}
export class SetAliasDto extends createZodDto(setAliasRequestSchema) {}
export class UseVersionDto extends createZodDto(useVersionRequestSchema) {}

export class ArtifactParamDto extends createZodDto(z.object({ name: artifactNameSchema }).loose()) {}
export class VersionParamDto extends createZodDto(z.object({ name: artifactNameSchema, version: z.string().min(1).max(64) }).loose()) {}
export class AliasParamDto extends createZodDto(z.object({ name: artifactNameSchema, alias: aliasSchema }).loose()) {}
export class ListArtifactsQueryDto extends createZodDto(z.strictObject({ kind: artifactKindSchema.optional() })) {}
