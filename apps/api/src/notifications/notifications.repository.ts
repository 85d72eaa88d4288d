import { Injectable } from '@nestjs/common';
import { projectReadableSql, reportReadableSql } from '../common/access/permissions';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface NotificationRow {
  id: string;
  kind: 'mention' | 'reply';
  created_at: Date;
  /** created_at at full (microsecond) precision, for the cursor. */
  cursor_at: string;
  read_at: Date | null;
  actor_id: string | null;
  actor_name: string | null;
  org_slug: string;
  project_slug: string | null;
  run_number: number | null;
  report_id: string | null;
  report_title: string | null;
  block_id: string | null;
  comment_id: string;
  body: string;
}

const SELECT = `SELECT n.id, n.kind, n.created_at, to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at, n.read_at, n.actor_id, a.name AS actor_name, o.slug AS org_slug, p.slug AS project_slug,
    r.number AS run_number, c.report_id, rp.title AS report_title, c.block_id, n.comment_id, c.body
  FROM notifications n
  JOIN comments c ON c.organization_id = n.organization_id AND c.id = n.comment_id
  JOIN organizations o ON o.id = n.organization_id
  LEFT JOIN projects p ON p.organization_id = c.organization_id AND p.id = c.project_id
  LEFT JOIN reports rp ON rp.organization_id = c.organization_id AND rp.id = c.report_id
  LEFT JOIN runs r ON r.organization_id = c.organization_id AND r.id = c.run_id
  LEFT JOIN users a ON a.id = n.actor_id`;

/**
 * The recipient can still read the comment's project: effectiveProjectRole in
 * SQL (projectReadableSql) (org owners and admins everywhere, project members, any org member on an
 * org-visible project); for a report's comment, the report (reportReadableSql). Someone who lost
 * access stops seeing its excerpts.
 */
const READABLE = `EXISTS (SELECT 1 FROM org_members m WHERE m.organization_id = n.organization_id AND m.user_id = n.user_id
    AND CASE WHEN c.report_id IS NULL
      THEN (${projectReadableSql('m.role', 'p.visibility', 'EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = p.id AND pm.user_id = n.user_id)')})
      ELSE ${reportReadableSql('m.role', 'n.user_id', 'c.report_id')} END)`;

const UNREAD_COUNT = `SELECT count(*)::int AS count FROM notifications n
  JOIN comments c ON c.id = n.comment_id LEFT JOIN projects p ON p.id = c.project_id
  WHERE n.user_id = $1 AND n.read_at IS NULL AND ${READABLE}`;

/** The SQL of in-app notifications. */
@Injectable()
export class NotificationsRepository {
  /** One notification per recipient and kind (none twice); answers the rows created. */
  insert(
    ctx: RequestContext,
    commentId: string,
    recipients: Map<string, 'mention' | 'reply'>,
  ): Promise<Array<{ id: string; user_id: string }>> {
    return queryRows(
      ctx.em,
      `INSERT INTO notifications (organization_id, user_id, kind, comment_id, actor_id)
       SELECT $1, u.user_id, u.kind, $2, $3 FROM unnest($4::uuid[], $5::text[]) AS u(user_id, kind)
       ON CONFLICT (organization_id, user_id, comment_id, kind) DO NOTHING
       RETURNING id, user_id`,
      [ctx.organization.id, commentId, ctx.user.userId, [...recipients.keys()], [...recipients.values()]],
    );
  }

  byIds(ctx: RequestContext, ids: string[]): Promise<NotificationRow[]> {
    return ctx.em.query(`${SELECT} WHERE n.id = ANY($1::uuid[])`, [ids]);
  }

  async forgetComment(ctx: RequestContext, commentId: string): Promise<void> {
    await ctx.em.query(`DELETE FROM notifications WHERE organization_id = $1 AND comment_id = $2`, [ctx.organization.id, commentId]);
  }

  /** The caller's notifications that they can still read, newest first, after `cursor`; `limit` rows at most. */
  page(
    ctx: RequestContext,
    query: { unread: boolean; cursor: { at: string; id: string } | null; limit: number },
  ): Promise<NotificationRow[]> {
    return ctx.em.query(
      `${SELECT} WHERE n.user_id = $1 AND ($2::boolean IS NOT TRUE OR n.read_at IS NULL) AND ${READABLE}
         AND ($3::timestamptz IS NULL OR (n.created_at, n.id) < ($3::timestamptz, $4::uuid))
       ORDER BY n.created_at DESC, n.id DESC LIMIT $5`,
      [ctx.user.userId, query.unread, query.cursor?.at ?? null, query.cursor?.id ?? null, query.limit],
    );
  }

  async unreadCount(ctx: RequestContext): Promise<number> {
    const [{ count }] = await ctx.em.query(UNREAD_COUNT, [ctx.user.userId]);
    return count;
  }

  /** Marks the caller's notifications read: `ids`, or every one when `ids` is 'all'. */
  async markRead(ctx: RequestContext, ids: string[] | 'all'): Promise<void> {
    if (ids === 'all')
      await ctx.em.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`, [ctx.user.userId]);
    else
      await ctx.em.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL`, [
        ctx.user.userId,
        ids,
      ]);
  }
}
