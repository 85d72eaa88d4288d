import { Injectable } from '@nestjs/common';
import { ProjectPermission, type RunState } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { afterCursor, decodeCursor, encodeCursor, FilterError, orderBy, type SortKeyLike } from './filter/sort-keys';
import { MlflowRunSqlBuilder, translateOrderBy, translateRunsFilter } from './filter/runs-filter';
import { invalidParameter } from './mlflow.errors';
import { MlflowRepository, type MlflowRunRow } from './mlflow.repository';
import { MlflowScopeService } from './mlflow-scope.service';
import { runParams, runTags, toRunInfo, wireDouble } from './mlflow-wire';

interface Row {
  id: string;
  name: string;
  state: RunState;
  notes: string;
  started_at: Date;
  ended_at: Date | null;
  created_by: string | null;
  params: Record<string, unknown>;
  project_slug: string;
  project_id: string;
  mlflow: MlflowRunRow | null;
  [sort: `sort_${number}`]: string | null;
}

/** search_runs: MLflow filters and order_by through the runs filter language, keyset page tokens. */
@Injectable()
export class SearchRunsService {
  constructor(
    private readonly repo: MlflowRepository,
    private readonly scope: MlflowScopeService,
  ) {}

  async search(
    ctx: RequestContext,
    q: { experiment_ids: string[]; filter?: string; run_view_type: string; max_results: number; order_by?: string[]; page_token?: string },
  ) {
    const projects: string[] = [];
    for (const id of q.experiment_ids) {
      try {
        projects.push((await this.scope.experiment(ctx, id, ProjectPermission.Read)).row.id);
      } catch (error) {
        // Experiments the caller cannot read are left out, as MLflow's auth filters experiment_ids.
        if (!(error instanceof AppError) || error.status !== 404) throw error;
      }
    }
    if (!projects.length) return { runs: [] };
    const sql = new MlflowRunSqlBuilder([ctx.organization.id, projects]);
    try {
      const node = translateRunsFilter(q.filter);
      const where = [node ? sql.where(node) : 'TRUE'];
      if (q.run_view_type === 'ACTIVE_ONLY') where.push('mr.deleted_at IS NULL');
      if (q.run_view_type === 'DELETED_ONLY') where.push('mr.deleted_at IS NOT NULL');
      const keys: SortKeyLike[] = translateOrderBy(q.order_by).map(({ ref, descending }) => {
        const f = sql.field(ref);
        return { sql: f.sql, cast: f.type === 'int' ? 'numeric' : f.type, descending, notNull: !!f.notNull };
      });
      keys.push({ sql: 'r.id', cast: 'uuid', descending: false, notNull: true });
      if (q.page_token) where.push(afterCursor(keys, decodeCursor(q.page_token), sql));
      const rows = (await this.repo.searchRuns(ctx, {
        select: `r.id, r.name, r.state, r.notes, r.started_at, r.ended_at, r.created_by, r.params, p.slug AS project_slug, p.id AS project_id,
                 CASE WHEN mr.run_id IS NULL THEN NULL ELSE json_build_object('tags', mr.tags, 'parent_run_id', mr.parent_run_id,
                   'user_id', mr.user_id, 'start_time', mr.start_time, 'end_time', mr.end_time, 'deleted_at', mr.deleted_at) END AS mlflow,
                 ${keys.map((k, i) => `(${k.sql})::text AS sort_${i}`).join(', ')}`,
        where: where.join(' AND '),
        orderBy: orderBy(keys),
        limit: q.max_results + 1,
        params: sql.params,
      })) as unknown as Row[];
      const page = rows.slice(0, q.max_results);
      const metrics = await this.repo.latestMetrics(
        ctx,
        page.map((r) => r.id),
      );
      const last = page.at(-1);
      return {
        runs: page.map((r) => {
          const parts = {
            id: r.id,
            name: r.name,
            state: r.state,
            notes: r.notes,
            startedAt: new Date(r.started_at).toISOString(),
            endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
            createdBy: r.created_by,
            params: r.params,
          };
          return {
            info: toRunInfo(parts, this.scope.experimentIdOf({ id: r.project_id, slug: r.project_slug }), r.mlflow),
            data: {
              metrics: metrics
                .filter((m) => m.run_id === r.id && m.last_step !== null)
                .map((m) => ({
                  key: m.name,
                  value: wireDouble(m.last_value),
                  timestamp: Number(m.last_time_ms ?? 0),
                  step: Number(m.last_step),
                })),
              params: runParams(r.params),
              tags: runTags(parts, r.mlflow),
            },
            inputs: { dataset_inputs: [], model_inputs: [] },
            outputs: { model_outputs: [] },
          };
        }),
        ...(rows.length > q.max_results && last ? { next_page_token: encodeCursor(keys.map((_, i) => last[`sort_${i}`])) } : {}),
      };
    } catch (error) {
      if (error instanceof FilterError) throw invalidParameter(`Invalid filter or order_by: ${error.message}`);
      // Only a forged page token can carry values PostgreSQL cannot read back; filter values are validated and bound.
      if (q.page_token && (error as { driverError?: { code?: string } }).driverError?.code?.startsWith('22'))
        throw invalidParameter('page_token is not valid');
      throw error;
    }
  }
}
