import {
  createdShareLinkSchema,
  createReportRequestSchema,
  createShareLinkRequestSchema,
  reportDataRequestSchema,
  reportDataSchema,
  reportHistorySchema,
  reportListSchema,
  reportMemberListSchema,
  reportSchema,
  reportVersionSchema,
  setReportMemberRequestSchema,
  shareLinkListSchema,
  updateReportRequestSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class CreateReportDto extends createZodDto(createReportRequestSchema) {}

export class UpdateReportDto extends createZodDto(updateReportRequestSchema) {}

export class ReportDto extends createZodDto(reportSchema) {}

export class ReportListDto extends createZodDto(reportListSchema) {}

export class ReportVersionDto extends createZodDto(reportVersionSchema) {}

export class ReportHistoryDto extends createZodDto(reportHistorySchema) {}

export class ReportDataRequestDto extends createZodDto(reportDataRequestSchema) {}

export class ReportDataDto extends createZodDto(reportDataSchema) {}

export class MemberListDto extends createZodDto(reportMemberListSchema) {}

export class SetMemberDto extends createZodDto(setReportMemberRequestSchema) {}

export class CreateLinkDto extends createZodDto(createShareLinkRequestSchema) {}

export class CreatedLinkDto extends createZodDto(createdShareLinkSchema) {}

export class LinkListDto extends createZodDto(shareLinkListSchema) {}

export class ReportParamDto extends createZodDto(z.object({ report: z.string().min(1).max(100) }).loose()) {}

export class VersionParamDto extends createZodDto(z.object({ version: z.coerce.number().int().min(1).max(2_000_000_000) }).loose()) {}

export class UserParamDto extends createZodDto(z.object({ user: z.string().min(1).max(100) }).loose()) {}

export class LinkParamDto extends createZodDto(z.object({ link: z.string().min(1).max(100) }).loose()) {}

export class ListQueryDto extends createZodDto(z.strictObject({ project: z.string().max(100).optional() })) {}

export class ExportQueryDto extends createZodDto(
  z.strictObject({ version: z.coerce.number().int().min(1).max(2_000_000_000).optional() }),
) {}
