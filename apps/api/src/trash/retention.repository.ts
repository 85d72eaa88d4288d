import { Injectable } from '@nestjs/common';
import type { RetentionPolicy } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface PolicyRow {
  keep_last_versions: number | null;
  failed_run_files_days: number | null;
  run_filter: string | null;
  run_filter_days: number | null;
  updated_at: Date;
}

/** The SQL of retention policies and of what each rule selects (live rows of the current project only). */
@Injectable()
export class RetentionRepository {
  async get(ctx: RequestContext): Promise<PolicyRow | null> {
    const rows = await queryRows<PolicyRow>(
      ctx.em,
      `SELECT keep_last_versions, failed_run_files_days, run_filter, run_filter_days, updated_at
         FROM retention_policies WHERE organization_id = $1 AND project_id = $2`,
      [ctx.organization.id, ctx.currentProject.id],
    );
    return rows[0] ?? null;
  }

  async put(ctx: RequestContext, p: RetentionPolicy): Promise<PolicyRow> {
    const rows = await queryRows<PolicyRow>(
      ctx.em,
      `INSERT INTO retention_policies AS p (organization_id, project_id, keep_last_versions, failed_run_files_days, run_filter, run_filter_days, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (project_id) DO UPDATE SET keep_last_versions = EXCLUDED.keep_last_versions,
         failed_run_files_days = EXCLUDED.failed_run_files_days, run_filter = EXCLUDED.run_filter,
         run_filter_days = EXCLUDED.run_filter_days, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING keep_last_versions, failed_run_files_days, run_filter, run_filter_days, updated_at`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        p.keepLastVersions,
        p.failedRunFilesDays,
        p.runFilter,
        p.runFilterDays,
        ctx.principal?.userId ?? null,
      ],
    );
    return rows[0]!;
  }

  /** Committed versions beyond the newest `keep` of each artifact that no alias points at. */
  async versionsBeyond(ctx: RequestContext, keep: number): Promise<Array<{ id: string; artifact: string; number: number }>> {
    return queryRows(
      ctx.em,
      `SELECT id, artifact, number FROM (
         SELECT v.id, a.name AS artifact, v.number,
                row_number() OVER (PARTITION BY v.artifact_id ORDER BY v.number DESC) AS rank
           FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
          WHERE v.organization_id = $1 AND a.project_id = $2 AND v.state = 'committed' AND v.deleted_at IS NULL) ranked
        WHERE rank > $3 AND NOT EXISTS (SELECT 1 FROM artifact_aliases al WHERE al.version_id = ranked.id)
        ORDER BY artifact, number`,
      [ctx.organization.id, ctx.currentProject.id, keep],
    );
  }

  /** Runs matching a compiled filter (`where` over alias `r`, bind parameters $1 org, $2 project) created at least `days` ago. */
  async runsMatching(ctx: RequestContext, where: string, params: unknown[], days: number): Promise<Array<{ id: string; number: number }>> {
    return queryRows(
      ctx.em,
      `SELECT r.id, r.number FROM runs r
        WHERE r.organization_id = $1 AND r.project_id = $2 AND r.deleted_at IS NULL
          AND r.created_at <= now() - make_interval(days => $${params.length + 1}) AND (${where})
        ORDER BY r.number`,
      [...params, days],
    );
  }

  /** Files of failed and crashed runs that ended (or last beat) at least `days` ago. */
  async failedRunFiles(ctx: RequestContext, days: number): Promise<Array<{ run_id: string; number: number; path: string }>> {
    return queryRows(
      ctx.em,
      `SELECT f.run_id, r.number, f.path FROM runs r JOIN run_files f ON f.run_id = r.id
        WHERE r.organization_id = $1 AND r.project_id = $2 AND r.deleted_at IS NULL AND r.state IN ('failed', 'crashed')
          AND coalesce(r.ended_at, r.heartbeat_at, r.created_at) <= now() - make_interval(days => $3)
        ORDER BY r.number, f.path`,
      [ctx.organization.id, ctx.currentProject.id, days],
    );
  }
}
