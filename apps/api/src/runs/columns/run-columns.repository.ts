import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';

/** Runs sampled to rank metrics and find varying params; the catalogue itself is complete. */
export const RECENT_RUNS_FOR_METRICS = 20;
export const RECENT_RUNS_FOR_PARAMS = 200;

/** SQL behind the column picker: the project's key catalogue and a sample of its newest runs. */
@Injectable()
export class RunColumnsRepository {
  /** Every param key, metric and system series name and tag the project has seen (kept at ingestion). */
  async fields(ctx: RequestContext): Promise<Array<{ kind: 'param' | 'metric' | 'system' | 'tag'; name: string }>> {
    return ctx.em.query(`SELECT kind, name FROM project_fields WHERE organization_id = $1 AND project_id = $2 ORDER BY kind, name`, [
      ctx.organization.id,
      ctx.currentProject.id,
    ]);
  }

  /** Metrics by how many of the newest runs log them. `= ANY(ARRAY(…))` makes it index probes per sampled run. */
  async commonMetrics(ctx: RequestContext, limit: number): Promise<Array<{ name: string; runs: number }>> {
    return ctx.em.query(
      `SELECT s.name, count(*)::int AS runs
         FROM series s
        WHERE s.organization_id = $1 AND s.kind = 'metric'
          AND s.run_id = ANY(ARRAY(SELECT r.id FROM runs r WHERE r.organization_id = $1 AND r.project_id = $2
                                    ORDER BY r.created_at DESC, r.id LIMIT ${RECENT_RUNS_FOR_METRICS}))
        GROUP BY s.name
        ORDER BY runs DESC, s.name
        LIMIT ${Number(limit)}`,
      [ctx.organization.id, ctx.currentProject.id],
    );
  }

  /** Params among the newest runs: how many hold each, how many distinct values, and their usual JSON type. */
  async recentParams(ctx: RequestContext): Promise<Array<{ name: string; runs: number; values: number; type: string }>> {
    return ctx.em.query(
      `SELECT p.key AS name, count(*)::int AS runs, count(DISTINCT p.value)::int AS values,
              mode() WITHIN GROUP (ORDER BY jsonb_typeof(p.value)) AS type
         FROM (SELECT r.params FROM runs r WHERE r.organization_id = $1 AND r.project_id = $2
                ORDER BY r.created_at DESC, r.id LIMIT ${RECENT_RUNS_FOR_PARAMS}) r,
              jsonb_each(r.params) p
        GROUP BY p.key`,
      [ctx.organization.id, ctx.currentProject.id],
    );
  }
}
