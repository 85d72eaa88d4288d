import {
  commentSchema,
  commentThreadSchema,
  createCommentRequestSchema,
  createReportCommentRequestSchema,
  reportCommentsQuerySchema,
  updateCommentRequestSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class CreateCommentDto extends createZodDto(createCommentRequestSchema) {}

export class UpdateCommentDto extends createZodDto(updateCommentRequestSchema) {}

export class CommentDto extends createZodDto(commentSchema) {}

export class CommentThreadDto extends createZodDto(commentThreadSchema) {}

export class CreateReportCommentDto extends createZodDto(createReportCommentRequestSchema) {}

export class ReportCommentsQueryDto extends createZodDto(reportCommentsQuerySchema) {}

export class ReportCommentParamDto extends createZodDto(z.object({ report: z.string().min(1).max(100) }).loose()) {}
