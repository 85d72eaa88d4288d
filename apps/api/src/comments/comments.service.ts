import { Injectable } from '@nestjs/common';
import { ProjectPermission, type CommentThread, type CreateCommentRequest } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { forbidden, notFound } from '../common/errors/app-error';
import { NotificationsService } from '../notifications/notifications.service';
import { RunsRepository } from '../runs/runs.repository';
import { CommentEvents } from './comment-events';
import { CommentRemoval, tombstone } from './comment-removal';
import { invalidParent, notAuthor } from './comments.errors';
import { CommentsRepository, toCommentDto } from './comments.repository';
import { parseMentions } from './mentions';

/** Threads on runs and projects: a comment and its replies, Markdown stored as written. */
@Injectable()
export class CommentsService {
  constructor(
    private readonly comments: CommentsRepository,
    private readonly runs: RunsRepository,
    private readonly notifications: NotificationsService,
    private readonly events: CommentEvents,
    private readonly removal: CommentRemoval,
  ) {}

  async list(ctx: RequestContext, runRef: string | null): Promise<CommentThread[]> {
    const runId = runRef ? (await this.runs.find(ctx, runRef)).id : null;
    const rows = await this.comments.thread(ctx, runId);
    const threads = new Map<string, CommentThread>();
    for (const row of rows) if (!row.parent_id) threads.set(row.id, { ...toCommentDto(row), replies: [] });
    for (const row of rows) if (row.parent_id) threads.get(row.parent_id)?.replies.push(toCommentDto(row));
    return [...threads.values()];
  }

  async create(ctx: RequestContext, runRef: string | null, input: CreateCommentRequest) {
    const runId = runRef ? (await this.runs.find(ctx, runRef)).id : null;
    let parentAuthor: string | null = null;
    if (input.parentId) {
      const parent = await this.comments.find(ctx, input.parentId, 'share');
      if (!parent || parent.run_id !== runId) throw invalidParent('the parent comment is not in this thread');
      if (parent.parent_id) throw invalidParent('replies go to a top-level comment, not to another reply');
      parentAuthor = parent.author_id;
    }
    const { mentioned, readers } = await this.audience(ctx, input.body, parentAuthor);
    const row = await this.comments.insert(ctx, { runId, parentId: input.parentId ?? null, body: input.body, mentions: mentioned });
    const comment = toCommentDto(row);
    const recipients = new Map<string, 'mention' | 'reply'>();
    if (parentAuthor && readers.has(parentAuthor)) recipients.set(parentAuthor, 'reply');
    for (const userId of mentioned) recipients.set(userId, 'mention');
    recipients.delete(ctx.user.userId);
    await this.notifications.notify(ctx, comment.id, recipients);
    this.announce(ctx, runId, 'created', comment);
    return comment;
  }

  async update(ctx: RequestContext, id: string, body: string) {
    const row = await this.comments.find(ctx, id, 'update');
    if (!row || row.deleted_at) throw notFound('comment');
    if (row.author_id !== ctx.user.userId) throw notAuthor();
    const { mentioned } = await this.audience(ctx, body, null);
    const fresh = new Map(mentioned.filter((m) => !row.mentions.includes(m) && m !== ctx.user.userId).map((m) => [m, 'mention' as const]));
    const comment = toCommentDto(await this.comments.update(ctx, id, body, mentioned));
    await this.notifications.notify(ctx, id, fresh);
    this.announce(ctx, row.run_id, 'updated', comment);
    return comment;
  }

  /**
   * Authors delete their own comments, maintainers anyone's (recorded in the
   * audit log). A comment with replies keeps its place, emptied, and its
   * notifications go; an emptied comment goes too once its last reply does.
   */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    const row = await this.comments.find(ctx, id, 'update');
    if (!row || row.deleted_at) throw notFound('comment');
    const maintainer = ctx.can(ProjectPermission.Update);
    if (row.author_id !== ctx.user.userId && !maintainer) throw forbidden('only the author or a maintainer can delete a comment');
    const parent = row.parent_id ? await this.comments.find(ctx, row.parent_id, 'update') : null;
    const emptied = await this.removal.remove(ctx, row, parent, { projectId: ctx.currentProject.id, runId: row.run_id });
    this.announce(ctx, row.run_id, 'deleted', tombstone(row));
    if (emptied) this.announce(ctx, emptied.run_id, 'deleted', tombstone(emptied));
  }

  /**
   * Who a body mentions, and which of them (plus the parent's author) can
   * read this project. Anyone else is ignored silently, so a mention reveals
   * nothing about who exists, and a reply reaches no one who lost access.
   */
  private async audience(
    ctx: RequestContext,
    body: string,
    parentAuthor: string | null,
  ): Promise<{ mentioned: string[]; readers: Set<string> }> {
    const { userIds, emails } = parseMentions(body);
    const found = await this.comments.readersAmong(ctx, parentAuthor ? [...userIds, parentAuthor] : userIds, emails);
    const mentioned = found.filter((r) => userIds.includes(r.id) || emails.includes(r.email)).map((r) => r.id);
    return { mentioned, readers: new Set(found.map((r) => r.id)) };
  }

  private announce(
    ctx: RequestContext,
    runId: string | null,
    change: 'created' | 'updated' | 'deleted',
    comment: ReturnType<typeof toCommentDto>,
  ): void {
    const organizationId = ctx.organization.id;
    const projectId = ctx.currentProject.id;
    ctx.afterCommit(() => this.events.emit('comment', { organizationId, projectId, runId, reportId: null, change, comment }));
  }
}

/** What listeners see of a deleted comment: its place, not its content. */
