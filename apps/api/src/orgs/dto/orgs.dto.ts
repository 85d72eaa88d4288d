import {
  createOrgRequestSchema,
  orgMemberSchema,
  orgSchema,
  updateOrgMemberRequestSchema,
  updateOrgRequestSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class OrgDto extends createZodDto(orgSchema) {}

export class OrgMemberDto extends createZodDto(orgMemberSchema) {}

export class CreateOrgDto extends createZodDto(createOrgRequestSchema) {}

export class UpdateOrgDto extends createZodDto(updateOrgRequestSchema) {}

export class UpdateOrgMemberDto extends createZodDto(updateOrgMemberRequestSchema) {}
