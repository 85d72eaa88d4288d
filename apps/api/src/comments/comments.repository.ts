import { Injectable } from '@nestjs/common';
import type { Comment } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface CommentRow {
  id: string;
  run_id: string | null;
  parent_id: string | null;
  author_id: string | null;
  author_name: string | null;
  body: string;
  mentions: string[];
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
}

const SELECT = `SELECT c.id, c.run_id, c.parent_id, c.author_id, u.name AS author_name, c.body, c.mentions, c.created_at, c.edited_at, c.deleted_at
  FROM comments c LEFT JOIN users u ON u.id = c.author_id`;

export function toCommentDto(row: CommentRow): Comment {
  const deleted = !!row.deleted_at;
  return {
    id: row.id,
    runId: row.run_id,
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

  async find(ctx: RequestContext, id: string): Promise<CommentRow | null> {
    const rows: CommentRow[] = await ctx.em.query(`${SELECT} WHERE c.organization_id = $1 AND c.project_id = $2 AND c.id = $3`, [ctx.organization.id, ctx.currentProject.id, id]);
    return rows[0] ?? null;
  }

  async insert(ctx: RequestContext, values: { runId: string | null; parentId: string | null; body: string; mentions: string[] }): Promise<CommentRow> {
    const [row] = await queryRows<{ id: string }>(
      ctx.em,
      `INSERT INTO comments (organization_id, project_id, run_id, parent_id, author_id, body, mentions) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [ctx.organization.id, ctx.currentProject.id, values.runId, values.parentId, ctx.user.userId, values.body, values.mentions],
    );
    return (await this.find(ctx, row!.id))!;
  }

  async update(ctx: RequestContext, id: string, body: string, mentions: string[]): Promise<CommentRow> {
    await ctx.em.query(`UPDATE comments SET body = $3, mentions = $4, edited_at = now() WHERE organization_id = $1 AND id = $2`, [ctx.organization.id, id, body, mentions]);
    return (await this.find(ctx, id))!;
  }

  async hasReplies(ctx: RequestContext, id: string): Promise<boolean> {
    const rows = await ctx.em.query(`SELECT 1 FROM comments WHERE organization_id = $1 AND parent_id = $2 LIMIT 1`, [ctx.organization.id, id]);
    return rows.length > 0;
  }

  async softDelete(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(`UPDATE comments SET body = '', mentions = '{}', deleted_at = now() WHERE organization_id = $1 AND id = $2`, [ctx.organization.id, id]);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(`DELETE FROM comments WHERE organization_id = $1 AND id = $2`, [ctx.organization.id, id]);
  }
}
