import { Injectable } from '@nestjs/common';
import { effectiveProjectRole, PROJECT_ROLE_PERMISSIONS, ProjectPermission, type CommentThread, type CreateCommentRequest, type OrgRole, type ProjectRole, type ProjectVisibility } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { forbidden, notFound } from '../common/errors/app-error';
import { NotificationsService } from '../notifications/notifications.service';
import { RunsRepository } from '../runs/runs.repository';
import { CommentEvents } from './comment-events';
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
      const parent = await this.comments.find(ctx, input.parentId);
      if (!parent || parent.run_id !== runId) throw invalidParent('the parent comment is not in this thread');
      if (parent.parent_id) throw invalidParent('replies go to a top-level comment, not to another reply');
      parentAuthor = parent.author_id;
    }
    const mentioned = await this.readersMentioned(ctx, input.body);
    const row = await this.comments.insert(ctx, { runId, parentId: input.parentId ?? null, body: input.body, mentions: mentioned });
    const comment = toCommentDto(row);
    const recipients = new Map<string, 'mention' | 'reply'>();
    if (parentAuthor) recipients.set(parentAuthor, 'reply');
    for (const userId of mentioned) recipients.set(userId, 'mention');
    recipients.delete(ctx.user.userId);
    await this.notifications.notify(ctx, comment.id, recipients);
    this.announce(ctx, runId, 'created', comment);
    return comment;
  }

  async update(ctx: RequestContext, id: string, body: string) {
    const row = await this.comments.find(ctx, id);
    if (!row || row.deleted_at) throw notFound('comment');
    if (row.author_id !== ctx.user.userId) throw notAuthor();
    const mentioned = await this.readersMentioned(ctx, body);
    const fresh = new Map(mentioned.filter((m) => !row.mentions.includes(m) && m !== ctx.user.userId).map((m) => [m, 'mention' as const]));
    const comment = toCommentDto(await this.comments.update(ctx, id, body, mentioned));
    await this.notifications.notify(ctx, id, fresh);
    this.announce(ctx, row.run_id, 'updated', comment);
    return comment;
  }

  /** Authors delete their own comments, maintainers anyone's; a comment with replies keeps its place, emptied. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    const row = await this.comments.find(ctx, id);
    if (!row || row.deleted_at) throw notFound('comment');
    const maintainer = PROJECT_ROLE_PERMISSIONS[ctx.currentProject.role].includes(ProjectPermission.Update);
    if (row.author_id !== ctx.user.userId && !maintainer) throw forbidden('only the author or a maintainer can delete a comment');
    if (await this.comments.hasReplies(ctx, id)) await this.comments.softDelete(ctx, id);
    else await this.comments.delete(ctx, id);
    this.announce(ctx, row.run_id, 'deleted', { ...toCommentDto(row), body: '', deleted: true, mentions: [] });
  }

  /**
   * Mentioned people who can read this project. Anyone else is ignored
   * silently, so a mention reveals nothing about who exists.
   */
  private async readersMentioned(ctx: RequestContext, body: string): Promise<string[]> {
    const { userIds, emails } = parseMentions(body);
    if (!userIds.length && !emails.length) return [];
    const rows: Array<{ id: string; org_role: OrgRole; project_role: ProjectRole | null; visibility: ProjectVisibility }> = await ctx.em.query(
      `SELECT u.id, m.role AS org_role, pm.role AS project_role, p.visibility
         FROM users u
         JOIN org_members m ON m.user_id = u.id AND m.organization_id = $1
         JOIN projects p ON p.id = $2
         LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = u.id
        WHERE u.id = ANY($3::uuid[]) OR lower(u.email) = ANY($4::text[])`,
      [ctx.organization.id, ctx.currentProject.id, userIds, emails],
    );
    return rows.filter((r) => effectiveProjectRole(r.org_role, r.project_role, r.visibility)).map((r) => r.id);
  }

  private announce(ctx: RequestContext, runId: string | null, change: 'created' | 'updated' | 'deleted', comment: ReturnType<typeof toCommentDto>): void {
    const organizationId = ctx.organization.id;
    const projectId = ctx.currentProject.id;
    ctx.afterCommit(() => this.events.emit('comment', { organizationId, projectId, runId, change, comment }));
  }
}
