import { Injectable } from '@nestjs/common';
import type { Comment } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/context/request-context';
import { NotificationsService } from '../notifications/notifications.service';
import { CommentsRepository, toCommentDto, type CommentRow } from './comments.repository';

/** What a deleted comment looks like to the thread: its place, emptied. */
export function tombstone(row: CommentRow): Comment {
  return { ...toCommentDto(row), body: '', deleted: true, mentions: [] };
}

/**
 * Deleting a comment, the same on runs, projects and reports once the caller
 * has found it and checked who may delete it: a comment with replies keeps its
 * place, emptied, and its notifications go; one without replies goes; deleting
 * someone else's comment is audited with `details`. An emptied parent goes too
 * once its last reply does: it is returned so the caller can announce it.
 */
@Injectable()
export class CommentRemoval {
  constructor(
    private readonly comments: CommentsRepository,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async remove(
    ctx: RequestContext,
    row: CommentRow,
    parent: CommentRow | null,
    details: Record<string, unknown>,
  ): Promise<CommentRow | null> {
    if (await this.comments.hasReplies(ctx, row.id)) {
      await this.comments.softDelete(ctx, row.id);
      await this.notifications.forgetComment(ctx, row.id);
    } else {
      await this.comments.delete(ctx, row.id);
    }
    if (row.author_id !== ctx.user.userId)
      await this.audit.record(ctx, {
        action: 'comment.deleted',
        targetType: 'comment',
        targetId: row.id,
        details: { ...details, authorId: row.author_id },
      });
    return parent?.deleted_at && (await this.comments.deleteIfEmptied(ctx, parent.id)) ? parent : null;
  }
}
