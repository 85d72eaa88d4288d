import { Injectable } from '@nestjs/common';
import { CommonErrorCode, type MarkNotificationsReadRequest, type Notification, type NotificationList } from '@trackbase/contracts';
import { CommentEvents } from '../comments/comment-events';
import type { RequestContext } from '../common/context/request-context';
import { badRequest } from '../common/errors/app-error';
import { queryRows } from '../database/sql';
import { runKey } from '../runs/run-key';

interface NotificationRow {
  id: string;
  kind: 'mention' | 'reply';
  created_at: Date;
  /** created_at at full (microsecond) precision, for the cursor. */
  cursor_at: string;
  read_at: Date | null;
  actor_id: string | null;
  actor_name: string | null;
  org_slug: string;
  project_slug: string;
  run_number: number | null;
  comment_id: string;
  body: string;
}

const SELECT = `SELECT n.id, n.kind, n.created_at, to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at, n.read_at, n.actor_id, a.name AS actor_name, o.slug AS org_slug, p.slug AS project_slug,
    r.number AS run_number, n.comment_id, c.body
  FROM notifications n
  JOIN comments c ON c.id = n.comment_id
  JOIN organizations o ON o.id = n.organization_id
  JOIN projects p ON p.id = c.project_id
  LEFT JOIN runs r ON r.id = c.run_id
  LEFT JOIN users a ON a.id = n.actor_id`;

/**
 * The recipient can still read the comment's project: effectiveProjectRole in
 * SQL (org owners and admins everywhere, project members, any org member on an
 * org-visible project). Someone who lost access stops seeing its excerpts.
 */
const READABLE = `EXISTS (SELECT 1 FROM org_members m WHERE m.organization_id = n.organization_id AND m.user_id = n.user_id
    AND (m.role IN ('owner', 'admin') OR p.visibility = 'org'
      OR EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = p.id AND pm.user_id = n.user_id)))`;

const UNREAD_COUNT = `SELECT count(*)::int AS count FROM notifications n
  JOIN comments c ON c.id = n.comment_id JOIN projects p ON p.id = c.project_id
  WHERE n.user_id = $1 AND n.read_at IS NULL AND ${READABLE}`;

function toDto(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
    actor: { id: row.actor_id, name: row.actor_name ?? 'deleted user' },
    org: row.org_slug,
    project: row.project_slug,
    runKey: row.run_number === null ? null : runKey(row.project_slug, row.run_number),
    commentId: row.comment_id,
    excerpt: row.body.slice(0, 280),
  };
}

/** In-app notifications: created inside the comment's transaction, pushed live after commit. */
@Injectable()
export class NotificationsService {
  constructor(private readonly events: CommentEvents) {}

  async notify(ctx: RequestContext, commentId: string, recipients: Map<string, 'mention' | 'reply'>): Promise<void> {
    if (!recipients.size) return;
    const created = await queryRows<{ id: string; user_id: string }>(
      ctx.em,
      `INSERT INTO notifications (organization_id, user_id, kind, comment_id, actor_id)
       SELECT $1, u.user_id, u.kind, $2, $3 FROM unnest($4::uuid[], $5::text[]) AS u(user_id, kind)
       ON CONFLICT (user_id, comment_id, kind) DO NOTHING
       RETURNING id, user_id`,
      [ctx.organization.id, commentId, ctx.user.userId, [...recipients.keys()], [...recipients.values()]],
    );
    const rows: NotificationRow[] = created.length
      ? await ctx.em.query(`${SELECT} WHERE n.id = ANY($1::uuid[])`, [created.map((c) => c.id)])
      : [];
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => {
      for (const row of rows) {
        const userId = created.find((c) => c.id === row.id)!.user_id;
        this.events.emit('notification', { organizationId, userId, notification: toDto(row) });
      }
    });
  }

  /** A comment emptied by deletion notifies no one any more. */
  async forgetComment(ctx: RequestContext, commentId: string): Promise<void> {
    await ctx.em.query(`DELETE FROM notifications WHERE organization_id = $1 AND comment_id = $2`, [ctx.organization.id, commentId]);
  }

  /** Across every organization of the caller: system scope, filtered by the caller's id. */
  async list(ctx: RequestContext, query: { unread?: boolean; limit: number; cursor?: string }): Promise<NotificationList> {
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursor) throw invalidCursor();
    const rows: NotificationRow[] = await ctx.em
      .query(
        `${SELECT} WHERE n.user_id = $1 AND ($2::boolean IS NOT TRUE OR n.read_at IS NULL) AND ${READABLE}
           AND ($3::timestamptz IS NULL OR (n.created_at, n.id) < ($3::timestamptz, $4::uuid))
         ORDER BY n.created_at DESC, n.id DESC LIMIT $5`,
        [ctx.user.userId, query.unread ?? false, cursor?.at ?? null, cursor?.id ?? null, query.limit + 1],
      )
      .catch((error: { driverError?: { code?: string } }) => {
        // Only a forged cursor carries a value PostgreSQL cannot read (say, February 30th).
        if (cursor && error.driverError?.code?.startsWith('22')) throw invalidCursor();
        throw error;
      });
    const [{ count }] = await ctx.em.query(UNREAD_COUNT, [ctx.user.userId]);
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
    if (request.all)
      await ctx.em.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`, [ctx.user.userId]);
    else
      await ctx.em.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL`, [
        ctx.user.userId,
        request.ids,
      ]);
    const [{ count }] = await ctx.em.query(UNREAD_COUNT, [ctx.user.userId]);
    return { unreadCount: count };
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
