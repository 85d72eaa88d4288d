import { Injectable } from '@nestjs/common';
import type { Comment, CommentThread, CreateReportCommentRequest } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { forbidden, notFound } from '../common/errors/app-error';
import { NotificationsService } from '../notifications/notifications.service';
import { ReportsService } from '../reports/reports.service';
import { CommentEvents } from './comment-events';
import { invalidParent, notAuthor } from './comments.errors';
import { CommentsRepository, toCommentDto } from './comments.repository';
import { CommentRemoval, tombstone } from './comment-removal';
import { parseMentions } from './mentions';

/**
 * Threads on a report and on its blocks: the same comments, mentions and
 * notifications as on runs and projects, with the report's own access. Whoever
 * can read the report reads and writes its comments (404 for anyone else, as
 * for a missing report); mentions and replies notify only people who can read
 * it. Share-link holders never see them: the token opens the published report
 * and its panels, nothing else.
 */
@Injectable()
export class ReportCommentsService {
  constructor(
    private readonly comments: CommentsRepository,
    private readonly reports: ReportsService,
    private readonly notifications: NotificationsService,
    private readonly events: CommentEvents,
    private readonly removal: CommentRemoval,
  ) {}

  async list(ctx: RequestContext, reportId: string, blockId: string | null): Promise<CommentThread[]> {
    const { report } = await this.reports.readable(ctx, reportId);
    const rows = await this.comments.reportThread(ctx, report.id, null);
    const threads = new Map<string, CommentThread>();
    for (const row of rows) if (!row.parent_id) threads.set(row.id, { ...toCommentDto(row), replies: [] });
    for (const row of rows) if (row.parent_id) threads.get(row.parent_id)?.replies.push(toCommentDto(row));
    return [...threads.values()].filter((t) => blockId === null || t.blockId === blockId);
  }

  async create(ctx: RequestContext, reportId: string, input: CreateReportCommentRequest): Promise<Comment> {
    const { report } = await this.reports.readable(ctx, reportId);
    let parentAuthor: string | null = null;
    let blockId = input.blockId ?? null;
    if (input.parentId) {
      const parent = await this.comments.findOnReport(ctx, report.id, input.parentId, 'share');
      if (!parent) throw invalidParent('the parent comment is not in this thread');
      if (parent.parent_id) throw invalidParent('replies go to a top-level comment, not to another reply');
      if (input.blockId !== undefined && input.blockId !== parent.block_id)
        throw invalidParent('a reply is on the block of its parent comment');
      parentAuthor = parent.author_id;
      blockId = parent.block_id;
    } else if (blockId !== null && !report.blocks.some((b) => b.id === blockId)) {
      throw notFound('block');
    }
    const { mentioned, readers } = await this.audience(ctx, report.id, input.body, parentAuthor);
    const row = await this.comments.insertOnReport(ctx, {
      reportId: report.id,
      blockId,
      parentId: input.parentId ?? null,
      body: input.body,
      mentions: mentioned,
    });
    const comment = toCommentDto(row);
    const recipients = new Map<string, 'mention' | 'reply'>();
    if (parentAuthor && readers.has(parentAuthor)) recipients.set(parentAuthor, 'reply');
    for (const userId of mentioned) recipients.set(userId, 'mention');
    recipients.delete(ctx.user.userId);
    await this.notifications.notify(ctx, comment.id, recipients);
    this.announce(ctx, report.id, 'created', comment);
    return comment;
  }

  async update(ctx: RequestContext, reportId: string, id: string, body: string): Promise<Comment> {
    const { report } = await this.reports.readable(ctx, reportId);
    const row = await this.comments.findOnReport(ctx, report.id, id, 'update');
    if (!row || row.deleted_at) throw notFound('comment');
    if (row.author_id !== ctx.user.userId) throw notAuthor();
    const { mentioned } = await this.audience(ctx, report.id, body, null);
    const fresh = new Map(mentioned.filter((m) => !row.mentions.includes(m) && m !== ctx.user.userId).map((m) => [m, 'mention' as const]));
    const comment = toCommentDto(await this.comments.update(ctx, id, body, mentioned, report.id));
    await this.notifications.notify(ctx, id, fresh);
    this.announce(ctx, report.id, 'updated', comment);
    return comment;
  }

  /** Authors delete their own comments, the report's editors anyone's (recorded in the audit log), as on runs. */
  async delete(ctx: RequestContext, reportId: string, id: string): Promise<void> {
    const { report, access } = await this.reports.readable(ctx, reportId);
    const row = await this.comments.findOnReport(ctx, report.id, id, 'update');
    if (!row || row.deleted_at) throw notFound('comment');
    if (row.author_id !== ctx.user.userId && !access.edit)
      throw forbidden('only the author or an editor of the report can delete a comment');
    const parent = row.parent_id ? await this.comments.findOnReport(ctx, report.id, row.parent_id, 'update') : null;
    const emptied = await this.removal.remove(ctx, row, parent, { reportId: report.id, blockId: row.block_id });
    this.announce(ctx, report.id, 'deleted', tombstone(row));
    if (emptied) this.announce(ctx, report.id, 'deleted', tombstone(emptied));
  }

  /** Who a body mentions, and which of them (and the parent's author) can read the report; anyone else is ignored silently. */
  private async audience(ctx: RequestContext, reportId: string, body: string, parentAuthor: string | null) {
    const { userIds, emails } = parseMentions(body);
    const found = await this.comments.reportReadersAmong(ctx, reportId, parentAuthor ? [...userIds, parentAuthor] : userIds, emails);
    const mentioned = found.filter((r) => userIds.includes(r.id) || emails.includes(r.email)).map((r) => r.id);
    return { mentioned, readers: new Set(found.map((r) => r.id)) };
  }

  private announce(ctx: RequestContext, reportId: string, change: 'created' | 'updated' | 'deleted', comment: Comment): void {
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => this.events.emit('comment', { organizationId, projectId: null, runId: null, reportId, change, comment }));
  }
}
