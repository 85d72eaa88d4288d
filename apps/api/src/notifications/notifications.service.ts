import { Injectable } from '@nestjs/common';
import { CommonErrorCode, type MarkNotificationsReadRequest, type Notification, type NotificationList } from '@trackbase/contracts';
import { EmailNotificationsService } from '../account/email-notifications.service';
import { NotificationEvents } from './notification-events';
import type { RequestContext } from '../common/context/request-context';
import { badRequest } from '../common/errors/app-error';
import { runKey } from '../runs/run-key';
import { NotificationsRepository, type NotificationRow } from './notifications.repository';

function toDto(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
    actor: { id: row.actor_id, name: row.actor_name ?? 'deleted user' },
    org: row.org_slug,
    project: row.project_slug,
    runKey: row.run_number === null || row.project_slug === null ? null : runKey(row.project_slug, row.run_number),
    report: row.report_id ? { id: row.report_id, title: row.report_title ?? '', blockId: row.block_id } : null,
    commentId: row.comment_id,
    excerpt: row.body.slice(0, 280),
  };
}

/** In-app notifications: created inside the comment's transaction, pushed live after commit. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly events: NotificationEvents,
    private readonly repository: NotificationsRepository,
    private readonly emails: EmailNotificationsService,
  ) {}

  async notify(ctx: RequestContext, commentId: string, recipients: Map<string, 'mention' | 'reply'>): Promise<void> {
    if (!recipients.size) return;
    const created = await this.repository.insert(ctx, commentId, recipients);
    const rows = created.length
      ? await this.repository.byIds(
          ctx,
          created.map((c) => c.id),
        )
      : [];
    const organizationId = ctx.organization.id;
    const origin = ctx.origin;
    ctx.afterCommit(() => {
      const sent = rows.map((row) => ({ userId: created.find((c) => c.id === row.id)!.user_id, notification: toDto(row) }));
      for (const { userId, notification } of sent) this.events.emit('notification', { organizationId, userId, notification });
      // Emails as each recipient prefers (immediate, digest or off); a failure is logged, never the request's.
      void this.emails.comments(origin, sent).catch(() => undefined);
    });
  }

  /** A comment emptied by deletion notifies no one any more. */
  async forgetComment(ctx: RequestContext, commentId: string): Promise<void> {
    await this.repository.forgetComment(ctx, commentId);
  }

  /** Across every organization of the caller: system scope, filtered by the caller's id. */
  async list(ctx: RequestContext, query: { unread?: boolean; limit: number; cursor?: string }): Promise<NotificationList> {
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursor) throw invalidCursor();
    const rows = await this.repository
      .page(ctx, { unread: query.unread ?? false, cursor, limit: query.limit + 1 })
      .catch((error: { driverError?: { code?: string } }) => {
        // Only a forged cursor carries a value PostgreSQL cannot read (say, February 30th).
        if (cursor && error.driverError?.code?.startsWith('22')) throw invalidCursor();
        throw error;
      });
    const count = await this.repository.unreadCount(ctx);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toDto),
      unreadCount: count,
      nextCursor:
        rows.length > query.limit && last ? Buffer.from(JSON.stringify({ at: last.cursor_at, id: last.id })).toString('base64url') : null,
    };
  }

  async markRead(ctx: RequestContext, request: MarkNotificationsReadRequest): Promise<{ unreadCount: number }> {
    await this.repository.markRead(ctx, request.all ? 'all' : (request.ids ?? []));
    return { unreadCount: await this.repository.unreadCount(ctx) };
  }
}

const invalidCursor = () =>
  badRequest(CommonErrorCode.ValidationFailed, 'cursor is not valid; start again without it', [
    { path: 'cursor', message: 'not a cursor this API issued' },
  ]);

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): { at: string; id: string } | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    if (typeof value.at === 'string' && CURSOR_AT.test(value.at) && typeof value.id === 'string' && UUID.test(value.id))
      return { at: value.at, id: value.id };
  } catch {
    /* fall through */
  }
  return null;
}
