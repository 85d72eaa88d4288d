import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface LoggedModelRow {
  id: string;
  project_id: string;
  source_run_id: string | null;
  name: string;
  model_type: string | null;
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, project_id, source_run_id, name, model_type, status, params, tags, created_by, created_at, updated_at`;

/** SQL of MLflow 3's logged models. */
@Injectable()
export class LoggedModelsRepository {
  async insert(
    ctx: RequestContext,
    m: { id: string; projectId: string; sourceRunId: string | null; name: string; modelType: string | null; params: object; tags: object },
  ): Promise<LoggedModelRow> {
    const rows = await queryRows<LoggedModelRow>(
      ctx.em,
      `INSERT INTO mlflow_logged_models (id, organization_id, project_id, source_run_id, name, model_type, params, tags, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        m.id,
        ctx.organization.id,
        m.projectId,
        m.sourceRunId,
        m.name,
        m.modelType,
        JSON.stringify(m.params),
        JSON.stringify(m.tags),
        ctx.user.userId,
      ],
    );
    return rows[0]!;
  }

  async find(ctx: RequestContext, id: string): Promise<LoggedModelRow | null> {
    const rows = await queryRows<LoggedModelRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM mlflow_logged_models WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [ctx.organization.id, id],
    );
    return rows[0] ?? null;
  }

  async update(
    ctx: RequestContext,
    id: string,
    set: { status?: string; params?: object; tags?: object; removeTag?: string },
  ): Promise<void> {
    await ctx.em.query(
      `UPDATE mlflow_logged_models SET
         status = coalesce($3, status),
         params = params || coalesce($4::jsonb, '{}'::jsonb),
         tags = (tags || coalesce($5::jsonb, '{}'::jsonb)) - coalesce($6, ''),
         updated_at = now()
       WHERE organization_id = $1 AND id = $2`,
      [
        ctx.organization.id,
        id,
        set.status ?? null,
        set.params ? JSON.stringify(set.params) : null,
        set.tags ? JSON.stringify(set.tags) : null,
        set.removeTag ?? null,
      ],
    );
  }

  async softDelete(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(`UPDATE mlflow_logged_models SET deleted_at = now() WHERE organization_id = $1 AND id = $2`, [
      ctx.organization.id,
      id,
    ]);
  }

  async inProjects(ctx: RequestContext, projectIds: string[]): Promise<LoggedModelRow[]> {
    return queryRows<LoggedModelRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM mlflow_logged_models
        WHERE organization_id = $1 AND project_id = ANY($2::uuid[]) AND deleted_at IS NULL
        ORDER BY created_at DESC, id`,
      [ctx.organization.id, projectIds],
    );
  }
}
