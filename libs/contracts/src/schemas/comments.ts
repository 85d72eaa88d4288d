import { z } from 'zod';

export const COMMENT_MAX_LENGTH = 20_000;

/**
 * Markdown, stored as written; clients render it safely. Mention with
 * `@[Name](user:<id>)` or `@email`. Not blank; no NUL character (PostgreSQL
 * text cannot hold one).
 */
const commentBodySchema = z
  .string()
  .min(1)
  .max(COMMENT_MAX_LENGTH)
  .refine((body) => body.trim().length > 0, { message: 'a comment cannot be blank' })
  .refine((body) => !body.includes('\u0000'), { message: 'a comment cannot contain a NUL character' });

export const createCommentRequestSchema = z.strictObject({
  body: commentBodySchema,
  /** Reply to a top-level comment of the same run or project. */
  parentId: z.uuid().optional(),
});
export type CreateCommentRequest = z.infer<typeof createCommentRequestSchema>;

/** A comment on a report: on the report itself, or on one of its blocks (`blockId`). */
export const createReportCommentRequestSchema = z.strictObject({
  body: commentBodySchema,
  parentId: z.uuid().optional(),
  /** A block of the report's draft; replies take their parent's block and need none. */
  blockId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
});
export type CreateReportCommentRequest = z.infer<typeof createReportCommentRequestSchema>;

export const reportCommentsQuerySchema = z.strictObject({
  /** Only the threads on this block. */
  block: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
});

export const updateCommentRequestSchema = z.strictObject({ body: commentBodySchema });
export type UpdateCommentRequest = z.infer<typeof updateCommentRequestSchema>;

export const commentSchema = z.object({
  id: z.uuid(),
  runId: z.uuid().nullable(),
  /** Set on a report's comments (and `blockId` on a block's); null on a project's or run's. */
  reportId: z.uuid().nullable(),
  blockId: z.string().nullable(),
  parentId: z.uuid().nullable(),
  author: z.object({ id: z.uuid().nullable(), name: z.string() }),
  body: z.string(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deleted: z.boolean(),
  mentions: z.array(z.uuid()),
});
export type Comment = z.infer<typeof commentSchema>;

export const commentThreadSchema = commentSchema.extend({ replies: z.array(commentSchema) });
export type CommentThread = z.infer<typeof commentThreadSchema>;

export const notificationSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['mention', 'reply']),
  createdAt: z.string(),
  readAt: z.string().nullable(),
  actor: z.object({ id: z.uuid().nullable(), name: z.string() }),
  org: z.string(),
  /** The project of a project's or run's comment; null for a report's. */
  project: z.string().nullable(),
  runKey: z.string().nullable(),
  /** The report of a report's comment (and the block commented on, if any). */
  report: z.object({ id: z.uuid(), title: z.string(), blockId: z.string().nullable() }).nullable(),
  commentId: z.uuid(),
  excerpt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListSchema = z.object({
  items: z.array(notificationSchema),
  unreadCount: z.number(),
  nextCursor: z.string().nullable(),
});
export type NotificationList = z.infer<typeof notificationListSchema>;

/** Either `ids` or `all: true`. */
export const markNotificationsReadRequestSchema = z
  .strictObject({ ids: z.array(z.uuid()).min(1).max(1_000).optional(), all: z.literal(true).optional() })
  .refine((r) => !!r.ids !== !!r.all, { message: 'give either ids or all: true', path: ['ids'] });
export type MarkNotificationsReadRequest = z.infer<typeof markNotificationsReadRequestSchema>;

export const CommentErrorCode = {
  InvalidParent: 'invalid_parent',
  NotAuthor: 'not_author',
} as const;
