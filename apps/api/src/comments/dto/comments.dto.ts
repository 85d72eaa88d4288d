import { commentSchema, commentThreadSchema, createCommentRequestSchema, updateCommentRequestSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class CreateCommentDto extends createZodDto(createCommentRequestSchema) {}

export class UpdateCommentDto extends createZodDto(updateCommentRequestSchema) {}

export class CommentDto extends createZodDto(commentSchema) {}

export class CommentThreadDto extends createZodDto(commentThreadSchema) {}
