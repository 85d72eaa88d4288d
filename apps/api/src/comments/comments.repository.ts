import { Injectable } from '@nestjs/common';
import { reportReadableSql } from '../common/access/permissions';
import { effectiveProjectRole, type Comment, type OrgRole, type ProjectRole, type ProjectVisibility } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface CommentRow {
  id: string;
  run_id: string | null;
  report_id: string | null;
  block_id: string | null;
  parent_id: string | null;
  author_id: string | null;
  author_name: string | null;
  body: string;
  mentions: string[];
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
}

const SELECT = `SELECT c.id, c.run_id, c.report_id, c.block_id, c.parent_id, c.author_id, u.name AS author_name, c.body, c.mentions, c.created_at, c.edited_at, c.deleted_at
  FROM comments c LEFT JOIN users u ON u.id = c.author_id`;

export function toCommentDto(row: CommentRow): Comment {
  const deleted = !!row.deleted_at;
  return {
    id: row.id,
    runId: row.run_id,
    reportId: row.report_id,
    blockId: row.block_id,
    parentId: row.parent_id,
    author: { id: row.author_id, name: row.author_name ?? 'deleted user' },
    body: deleted ? '' : row.body,
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at?.toISOString() ?? null,
    deleted,
    mentions: deleted ? [] : row.mentions,
  };
}

@Injectable()
export class CommentsRepository {
  async thread(ctx: RequestContext, runId: string | null): Promise<CommentRow[]> {
    return ctx.em.query(
      `${SELECT} WHERE c.organization_id = $1 AND c.project_id = $2 AND c.run_id IS NOT DISTINCT FROM $3 ORDER BY c.created_at, c.id`,
      [ctx.organization.id, ctx.currentProject.id, runId],
    );
  }

  /**
   * `lock: 'update'` before editing or deleting, `'share'` on a parent before
   * replying: a reply and the deletion of its parent then serialize, so a
   * deletion never cascades over a reply it did not see.
   */
  async find(ctx: RequestContext, id: string, lock?: 'update' | 'share'): Promise<CommentRow | null> {
    const rows: CommentRow[] = await ctx.em.query(
      `${SELECT} WHERE c.organization_id = $1 AND c.project_id = $2 AND c.id = $3 ${lock ? `FOR ${lock === 'update' ? 'UPDATE' : 'SHARE'} OF c` : ''}`,
      [ctx.organization.id, ctx.currentProject.id, id],
    );
    return rows[0] ?? null;
  }

  /**
   * Of the people named by id or email, those who can read the current
   * project: the SQL gathers roles, effectiveProjectRole decides, as for the
   * access guard. Users of other tenants are invisible here (row-level security).
   */
  async readersAmong(ctx: RequestContext, userIds: string[], emails: string[]): Promise<Array<{ id: string; email: string }>> {
    if (!userIds.length && !emails.length) return [];
    const rows: Array<{ id: string; email: string; org_role: OrgRole; project_role: ProjectRole | null; visibility: ProjectVisibility }> =
      await ctx.em.query(
        `SELECT u.id, lower(u.email) AS email, m.role AS org_role, pm.role AS project_role, p.visibility
         FROM users u
         JOIN org_members m ON m.user_id = u.id AND m.organization_id = $1
         JOIN projects p ON p.id = $2
         LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = u.id
        WHERE u.id = ANY($3::uuid[]) OR lower(u.email) = ANY($4::text[])`,
        [ctx.organization.id, ctx.currentProject.id, userIds, emails],
      );
    return rows.filter((r) => effectiveProjectRole(r.org_role, r.project_role, r.visibility)).map((r) => ({ id: r.id, email: r.email }));
  }

  async insert(
    ctx: RequestContext,
    values: { runId: string | null; parentId: string | null; body: string; mentions: string[] },
  ): Promise<CommentRow> {
    const [row] = await queryRows<{ id: string }>(
      ctx.em,
      `INSERT INTO comments (organization_id, project_id, run_id, parent_id, author_id, body, mentions) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [ctx.organization.id, ctx.currentProject.id, values.runId, values.parentId, ctx.user.userId, values.body, values.mentions],
    );
    return (await this.find(ctx, row!.id))!;
  }

  /** A report's threads (or one block's), oldest first. */
  async reportThread(ctx: RequestContext, reportId: string, blockId: string | null): Promise<CommentRow[]> {
    return ctx.em.query(
      `${SELECT} WHERE c.organization_id = $1 AND c.report_id = $2 AND ($3::text IS NULL OR c.block_id = $3) ORDER BY c.created_at, c.id LIMIT 5000`,
      [ctx.organization.id, reportId, blockId],
    );
  }

  /** A comment of the report, locked as `find` does. */
  async findOnReport(ctx: RequestContext, reportId: string, id: string, lock?: 'update' | 'share'): Promise<CommentRow | null> {
    const rows: CommentRow[] = await ctx.em.query(
      `${SELECT} WHERE c.organization_id = $1 AND c.report_id = $2 AND c.id = $3 ${lock ? `FOR ${lock === 'update' ? 'UPDATE' : 'SHARE'} OF c` : ''}`,
      [ctx.organization.id, reportId, id],
    );
    return rows[0] ?? null;
  }

  async insertOnReport(
    ctx: RequestContext,
    values: { reportId: string; blockId: string | null; parentId: string | null; body: string; mentions: string[] },
  ): Promise<CommentRow> {
    const [row] = await queryRows<{ id: string }>(
      ctx.em,
      `INSERT INTO comments (organization_id, report_id, block_id, parent_id, author_id, body, mentions) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [ctx.organization.id, values.reportId, values.blockId, values.parentId, ctx.user.userId, values.body, values.mentions],
    );
    return (await this.findOnReport(ctx, values.reportId, row!.id))!;
  }

  /** Of the people named by id or email, those who can read the report (reportReadableSql, as ReportsService decides). */
  async reportReadersAmong(
    ctx: RequestContext,
    reportId: string,
    userIds: string[],
    emails: string[],
  ): Promise<Array<{ id: string; email: string }>> {
    if (!userIds.length && !emails.length) return [];
    return queryRows(
      ctx.em,
      `SELECT u.id, lower(u.email) AS email FROM users u
         JOIN org_members m ON m.user_id = u.id AND m.organization_id = $1
        WHERE (u.id = ANY($3::uuid[]) OR lower(u.email) = ANY($4::text[])) AND ${reportReadableSql('m.role', 'u.id', '$2::uuid')}`,
      [ctx.organization.id, reportId, userIds, emails],
    );
  }

  /** `reportId` for a report's comment (it has no project). */
  async update(ctx: RequestContext, id: string, body: string, mentions: string[], reportId?: string): Promise<CommentRow> {
    await ctx.em.query(`UPDATE comments SET body = $3, mentions = $4, edited_at = now() WHERE organization_id = $1 AND id = $2`, [
      ctx.organization.id,
      id,
      body,
      mentions,
    ]);
    return (reportId ? await this.findOnReport(ctx, reportId, id) : await this.find(ctx, id))!;
  }

  async hasReplies(ctx: RequestContext, id: string): Promise<boolean> {
    const rows = await ctx.em.query(`SELECT 1 FROM comments WHERE organization_id = $1 AND parent_id = $2 LIMIT 1`, [
      ctx.organization.id,
      id,
    ]);
    return rows.length > 0;
  }

  async softDelete(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(`UPDATE comments SET body = '', mentions = '{}', deleted_at = now() WHERE organization_id = $1 AND id = $2`, [
      ctx.organization.id,
      id,
    ]);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(`DELETE FROM comments WHERE organization_id = $1 AND id = $2`, [ctx.organization.id, id]);
  }

  /** Removes a deleted comment whose last reply just went; answers whether it did. */
  async deleteIfEmptied(ctx: RequestContext, id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      ctx.em,
      `DELETE FROM comments c WHERE c.organization_id = $1 AND c.id = $2 AND c.deleted_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.organization_id = $1 AND r.parent_id = c.id)
       RETURNING c.id`,
      [ctx.organization.id, id],
    );
    return rows.length > 0;
  }
}
