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

/** What MLflow keeps of a model version beyond its artifact version. */
export interface VersionStateRow {
  version: number;
  stage: string;
  description: string | null;
  tags: Record<string, string>;
  updated_at: Date;
}

export type VersionStateChange = { stage?: string; description?: string; tags?: Record<string, string>; removeTag?: string };

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

  /** False when the new name is taken. */
  async rename(ctx: RequestContext, name: string, newName: string): Promise<boolean> {
    const rows = await queryRows<{ name: string }>(
      ctx.em,
      `UPDATE mlflow_registered_models SET name = $4, updated_at = now()
        WHERE organization_id = $1 AND project_id = $2 AND name = $3
          AND NOT EXISTS (SELECT 1 FROM mlflow_registered_models m WHERE m.project_id = $2 AND m.name = $4)
        RETURNING name`,
      [ctx.organization.id, ctx.currentProject.id, name, newName],
    );
    return rows.length > 0;
  }

  /** Stage, tags and description of the model's versions that have any, by version number. */
  async versionStates(ctx: RequestContext, name: string): Promise<Map<number, VersionStateRow>> {
    const rows = await queryRows<VersionStateRow>(
      ctx.em,
      `SELECT version, stage, description, tags, updated_at FROM mlflow_model_versions
        WHERE organization_id = $1 AND project_id = $2 AND name = $3`,
      [ctx.organization.id, ctx.currentProject.id, name],
    );
    return new Map(rows.map((r) => [r.version, r]));
  }

  async changeVersion(ctx: RequestContext, name: string, version: number, change: VersionStateChange): Promise<void> {
    await ctx.em.query(
      `INSERT INTO mlflow_model_versions (project_id, name, version, organization_id, stage, description, tags)
       VALUES ($2, $3, $4, $1, coalesce($5, 'None'), $6, coalesce($7::jsonb, '{}'::jsonb) - coalesce($8, ''))
       ON CONFLICT (organization_id, project_id, name, version) DO UPDATE SET
         stage = coalesce($5, mlflow_model_versions.stage),
         description = coalesce($6, mlflow_model_versions.description),
         tags = (mlflow_model_versions.tags || coalesce($7::jsonb, '{}'::jsonb)) - coalesce($8, ''),
         updated_at = now()`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        name,
        version,
        change.stage ?? null,
        change.description ?? null,
        change.tags ? JSON.stringify(change.tags) : null,
        change.removeTag ?? null,
      ],
    );
  }

  /** Moves every other version in `stage` to Archived (MLflow's `archive_existing_versions`). */
  async archiveOthers(ctx: RequestContext, name: string, stage: string, except: number): Promise<void> {
    await ctx.em.query(
      `UPDATE mlflow_model_versions SET stage = 'Archived', updated_at = now()
        WHERE organization_id = $1 AND project_id = $2 AND name = $3 AND stage = $4 AND version <> $5`,
      [ctx.organization.id, ctx.currentProject.id, name, stage, except],
    );
  }

  async forgetVersion(ctx: RequestContext, name: string, version: number): Promise<void> {
    await ctx.em.query(`DELETE FROM mlflow_model_versions WHERE organization_id = $1 AND project_id = $2 AND name = $3 AND version = $4`, [
      ctx.organization.id,
      ctx.currentProject.id,
      name,
      version,
    ]);
  }

  async delete(ctx: RequestContext, name: string): Promise<void> {
    await ctx.em.query(`DELETE FROM mlflow_registered_models WHERE organization_id = $1 AND project_id = $2 AND name = $3`, [
      ctx.organization.id,
      ctx.currentProject.id,
      name,
    ]);
  }
}
