import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

/** Which README: the project's own, or a run's or an artifact's within the project. */
export interface ReadmeTargetRef {
  runId: string | null;
  artifactId: string | null;
}

export interface ReadmeVersionRow {
  version: number;
  body: string;
  author_id: string | null;
  author_name: string | null;
  created_at: Date;
}

const TARGET = `r.organization_id = $1 AND r.project_id = $2 AND r.run_id IS NOT DISTINCT FROM $3 AND r.artifact_id IS NOT DISTINCT FROM $4`;
const COLUMNS = `r.version, r.body, r.author_id, u.name AS author_name, r.created_at`;

@Injectable()
export class ReadmesRepository {
  private params(ctx: RequestContext, target: ReadmeTargetRef): unknown[] {
    return [ctx.organization.id, ctx.currentProject.id, target.runId, target.artifactId];
  }

  /** Serialises saves of one README until the transaction ends, so versions are numbered without gaps or races. */
  async lock(ctx: RequestContext, target: ReadmeTargetRef): Promise<void> {
    await ctx.em.query(`SELECT pg_advisory_xact_lock(hashtextextended('readme:' || $1, 0))`, [
      target.runId ?? target.artifactId ?? ctx.currentProject.id,
    ]);
  }

  async current(ctx: RequestContext, target: ReadmeTargetRef): Promise<ReadmeVersionRow | null> {
    const rows = await queryRows<ReadmeVersionRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM readme_versions r LEFT JOIN users u ON u.id = r.author_id
        WHERE ${TARGET} ORDER BY r.version DESC LIMIT 1`,
      this.params(ctx, target),
    );
    return rows[0] ?? null;
  }

  async version(ctx: RequestContext, target: ReadmeTargetRef, version: number): Promise<ReadmeVersionRow | null> {
    const rows = await queryRows<ReadmeVersionRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM readme_versions r LEFT JOIN users u ON u.id = r.author_id
        WHERE ${TARGET} AND r.version = $5`,
      [...this.params(ctx, target), version],
    );
    return rows[0] ?? null;
  }

  /** Newest first, without the texts. */
  async history(ctx: RequestContext, target: ReadmeTargetRef): Promise<Array<Omit<ReadmeVersionRow, 'body'> & { length: number }>> {
    return queryRows(
      ctx.em,
      `SELECT r.version, length(r.body)::int AS length, r.author_id, u.name AS author_name, r.created_at
         FROM readme_versions r LEFT JOIN users u ON u.id = r.author_id
        WHERE ${TARGET} ORDER BY r.version DESC LIMIT 1000`,
      this.params(ctx, target),
    );
  }

  async insert(ctx: RequestContext, target: ReadmeTargetRef, version: number, body: string): Promise<void> {
    await ctx.em.query(
      `INSERT INTO readme_versions (organization_id, project_id, run_id, artifact_id, version, body, author_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [...this.params(ctx, target), version, body, ctx.user.userId],
    );
  }
}
