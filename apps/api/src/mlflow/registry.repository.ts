import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface RegisteredModelRow {
  name: string;
  description: string;
  tags: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `name, description, tags, created_at, updated_at`;

/** SQL of MLflow's registered models (their versions are artifact versions). */
@Injectable()
export class RegistryRepository {
  /** Null when the name is taken. */
  async insert(ctx: RequestContext, name: string, description: string, tags: object): Promise<RegisteredModelRow | null> {
    const rows = await queryRows<RegisteredModelRow>(
      ctx.em,
      `INSERT INTO mlflow_registered_models (project_id, name, organization_id, description, tags) VALUES ($2, $3, $1, $4, $5)
       ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [ctx.organization.id, ctx.currentProject.id, name, description, JSON.stringify(tags)],
    );
    return rows[0] ?? null;
  }

  async find(ctx: RequestContext, name: string): Promise<RegisteredModelRow | null> {
    const rows = await queryRows<RegisteredModelRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM mlflow_registered_models WHERE organization_id = $1 AND project_id = $2 AND name = $3`,
      [ctx.organization.id, ctx.currentProject.id, name],
    );
    return rows[0] ?? null;
  }

  async list(ctx: RequestContext): Promise<RegisteredModelRow[]> {
    return queryRows<RegisteredModelRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM mlflow_registered_models WHERE organization_id = $1 AND project_id = $2 ORDER BY name`,
      [ctx.organization.id, ctx.currentProject.id],
    );
  }

  async update(ctx: RequestContext, name: string, set: { description?: string; tags?: object; removeTag?: string }): Promise<void> {
    await ctx.em.query(
      `UPDATE mlflow_registered_models SET description = coalesce($4, description),
              tags = (tags || coalesce($5::jsonb, '{}'::jsonb)) - coalesce($6, ''), updated_at = now()
        WHERE organization_id = $1 AND project_id = $2 AND name = $3`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        name,
        set.description ?? null,
        set.tags ? JSON.stringify(set.tags) : null,
        set.removeTag ?? null,
      ],
    );
  }

  async delete(ctx: RequestContext, name: string): Promise<void> {
    await ctx.em.query(`DELETE FROM mlflow_registered_models WHERE organization_id = $1 AND project_id = $2 AND name = $3`, [
      ctx.organization.id,
      ctx.currentProject.id,
      name,
    ]);
  }
}
