import { Injectable } from '@nestjs/common';
import type { ProjectRole, ProjectVisibility } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

/** The default experiment "0" is the organization's project with this slug, created on first use. */
export const DEFAULT_PROJECT_SLUG = 'default';

export interface ProjectAccessRow {
  id: string;
  slug: string;
  name: string;
  visibility: ProjectVisibility;
  member_role: ProjectRole | null;
  lifecycle_stage: 'active' | 'deleted' | null;
  tags: Record<string, string> | null;
  created_at: Date;
  updated_at: Date;
}

export interface MlflowRunRow {
  tags: Record<string, string>;
  parent_run_id: string | null;
  user_id: string | null;
  start_time: string | null;
  end_time: string | null;
  deleted_at: Date | null;
}

export interface RunScopeRow extends ProjectAccessRow {
  run_id: string;
  mlflow: MlflowRunRow | null;
}

export interface LatestMetricRow {
  run_id: string;
  name: string;
  last_value: number | string | null;
  last_step: string | null;
  last_time_ms: string | null;
}

const PROJECT_ACCESS = `p.id, p.slug, p.name, p.visibility, p.created_at, p.updated_at, pm.role AS member_role,
  e.lifecycle_stage, e.tags`;
const PROJECT_JOINS = `LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = $2
  LEFT JOIN mlflow_experiments e ON e.project_id = p.id`;

/** SQL of the MLflow domain; every query names the organization of the context. */
@Injectable()
export class MlflowRepository {
  async projectById(ctx: RequestContext, id: string): Promise<ProjectAccessRow | null> {
    return this.oneProject(ctx, 'p.id', id);
  }

  async projectBySlug(ctx: RequestContext, slug: string): Promise<ProjectAccessRow | null> {
    return this.oneProject(ctx, 'p.slug', slug);
  }

  private async oneProject(ctx: RequestContext, column: 'p.id' | 'p.slug', value: string): Promise<ProjectAccessRow | null> {
    const rows = await queryRows<ProjectAccessRow>(
      ctx.em,
      `SELECT ${PROJECT_ACCESS} FROM projects p ${PROJECT_JOINS} WHERE p.organization_id = $1 AND ${column} = $3`,
      [ctx.organization.id, ctx.user.userId, value],
    );
    return rows[0] ?? null;
  }

  /** Projects named `name`; an active experiment comes before a deleted one. */
  async projectsByName(ctx: RequestContext, name: string): Promise<ProjectAccessRow[]> {
    return queryRows<ProjectAccessRow>(
      ctx.em,
      `SELECT ${PROJECT_ACCESS} FROM projects p ${PROJECT_JOINS}
        WHERE p.organization_id = $1 AND p.name = $3
        ORDER BY coalesce(e.lifecycle_stage, 'active') = 'active' DESC, p.created_at`,
      [ctx.organization.id, ctx.user.userId, name],
    );
  }

  async allProjects(ctx: RequestContext): Promise<ProjectAccessRow[]> {
    return queryRows<ProjectAccessRow>(
      ctx.em,
      `SELECT ${PROJECT_ACCESS} FROM projects p ${PROJECT_JOINS} WHERE p.organization_id = $1 ORDER BY p.created_at, p.id`,
      [ctx.organization.id, ctx.user.userId],
    );
  }

  async setExperiment(ctx: RequestContext, projectId: string, set: { lifecycleStage?: string; tags?: Record<string, string> }) {
    await ctx.em.query(
      `INSERT INTO mlflow_experiments AS e (project_id, organization_id, lifecycle_stage, tags)
       VALUES ($2, $1, coalesce($3, 'active'), coalesce($4::jsonb, '{}'::jsonb))
       ON CONFLICT (organization_id, project_id) DO UPDATE SET
         lifecycle_stage = coalesce($3, e.lifecycle_stage),
         tags = e.tags || coalesce($4::jsonb, '{}'::jsonb),
         updated_at = now()`,
      [ctx.organization.id, projectId, set.lifecycleStage ?? null, set.tags ? JSON.stringify(set.tags) : null],
    );
  }

  async deleteExperimentTag(ctx: RequestContext, projectId: string, key: string) {
    await ctx.em.query(`UPDATE mlflow_experiments SET tags = tags - $3 WHERE organization_id = $1 AND project_id = $2`, [
      ctx.organization.id,
      projectId,
      key,
    ]);
  }

  /** The run, its project with the caller's role there, and its MLflow row: one query (runs/get precedes every 3.x log_metric). */
  async runScope(ctx: RequestContext, runId: string): Promise<RunScopeRow | null> {
    const rows = await queryRows<RunScopeRow>(
      ctx.em,
      `SELECT r.id AS run_id, ${PROJECT_ACCESS},
              CASE WHEN mr.run_id IS NULL THEN NULL ELSE json_build_object(
                'tags', mr.tags, 'parent_run_id', mr.parent_run_id, 'user_id', mr.user_id,
                'start_time', mr.start_time, 'end_time', mr.end_time, 'deleted_at', mr.deleted_at) END AS mlflow
         FROM runs r
         JOIN projects p ON p.id = r.project_id
         ${PROJECT_JOINS}
         LEFT JOIN mlflow_runs mr ON mr.run_id = r.id
        WHERE r.organization_id = $1 AND r.id = $3`,
      [ctx.organization.id, ctx.user.userId, runId],
    );
    return rows[0] ?? null;
  }

  async mlflowRuns(ctx: RequestContext, runIds: string[]): Promise<Map<string, MlflowRunRow>> {
    const rows = await queryRows<MlflowRunRow & { run_id: string }>(
      ctx.em,
      `SELECT run_id, tags, parent_run_id, user_id, start_time, end_time, deleted_at
         FROM mlflow_runs WHERE organization_id = $1 AND run_id = ANY($2::uuid[])`,
      [ctx.organization.id, runIds],
    );
    return new Map(rows.map((r) => [r.run_id, r]));
  }

  /** Creates or changes a run's MLflow row; `tags` are merged, `removeTag` dropped, other fields replaced when given. */
  async upsertRun(
    ctx: RequestContext,
    runId: string,
    set: {
      tags?: Record<string, string>;
      removeTag?: string;
      parentRunId?: string | null;
      userId?: string | null;
      startTime?: number | null;
      endTime?: number | null;
      deleted?: boolean;
    },
  ): Promise<void> {
    await ctx.em.query(
      `INSERT INTO mlflow_runs AS m (run_id, organization_id, tags, parent_run_id, user_id, start_time, end_time)
       VALUES ($2, $1, coalesce($3::jsonb, '{}'::jsonb), $4, $5, $6, $7)
       ON CONFLICT (organization_id, run_id) DO UPDATE SET
         tags = (m.tags || coalesce($3::jsonb, '{}'::jsonb)) - coalesce($8, ''),
         parent_run_id = CASE WHEN $9 THEN $4 ELSE m.parent_run_id END,
         user_id = coalesce($5, m.user_id),
         start_time = coalesce($6, m.start_time),
         end_time = CASE WHEN $10 THEN $7 ELSE m.end_time END,
         deleted_at = CASE WHEN $11::boolean IS NULL THEN m.deleted_at WHEN $11 THEN now() ELSE NULL END`,
      [
        ctx.organization.id,
        runId,
        set.tags ? JSON.stringify(set.tags) : null,
        set.parentRunId ?? null,
        set.userId ?? null,
        set.startTime ?? null,
        set.endTime ?? null,
        set.removeTag ?? null,
        set.parentRunId !== undefined,
        set.endTime !== undefined,
        set.deleted ?? null,
      ],
    );
  }

  async latestMetrics(ctx: RequestContext, runIds: string[]): Promise<LatestMetricRow[]> {
    return queryRows<LatestMetricRow>(
      ctx.em,
      `SELECT run_id, name, last_value, last_step, last_time_ms FROM series
        WHERE organization_id = $1 AND run_id = ANY($2::uuid[]) AND kind = 'metric' ORDER BY run_id, name`,
      [ctx.organization.id, runIds],
    );
  }

  async runParams(ctx: RequestContext, runId: string): Promise<Record<string, unknown>> {
    const rows = await queryRows<{ params: Record<string, unknown> }>(
      ctx.em,
      `SELECT params FROM runs WHERE organization_id = $1 AND id = $2`,
      [ctx.organization.id, runId],
    );
    return rows[0]?.params ?? {};
  }

  /** A page of runs in `projectIds` matching `where` (built by the runs filter compiler, values bound in `params`). */
  async searchRuns(
    ctx: RequestContext,
    q: { select: string; where: string; orderBy: string; limit: number; params: unknown[] },
  ): Promise<Array<Record<string, unknown>>> {
    return ctx.em.query(
      `SELECT ${q.select}
         FROM runs r
         JOIN projects p ON p.id = r.project_id
         LEFT JOIN mlflow_runs mr ON mr.run_id = r.id
        WHERE r.organization_id = $1 AND r.project_id = ANY($2::uuid[]) AND (${q.where})
        ORDER BY ${q.orderBy}
        LIMIT ${Number(q.limit)}`,
      q.params,
    );
  }
}
