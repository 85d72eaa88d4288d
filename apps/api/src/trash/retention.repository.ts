import { Injectable } from '@nestjs/common';
import type { ProjectVisibility, RetentionPolicy, RetentionSchedule } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface PolicyRow {
  keep_last_versions: number | null;
  failed_run_files_days: number | null;
  run_filter: string | null;
  run_filter_days: number | null;
  schedule: RetentionSchedule;
  updated_at: Date;
  last_applied_at: Date | null;
  next_apply_at: Date | null;
}

/** An organization with daily policies due now (read in system scope). */
export interface DueOrganization {
  id: string;
  slug: string;
  name: string;
}

/** A due daily policy claimed for this transaction: its project. */
export interface ClaimedPolicy {
  project_id: string;
  slug: string;
  name: string;
  visibility: ProjectVisibility;
}

const COLUMNS =
  'keep_last_versions, failed_run_files_days, run_filter, run_filter_days, schedule, updated_at, last_applied_at, next_apply_at';

/** The SQL of retention policies and of what each rule selects (live rows of the current project only). */
@Injectable()
export class RetentionRepository {
  async get(ctx: RequestContext): Promise<PolicyRow | null> {
    const rows = await queryRows<PolicyRow>(
      ctx.em,
      `SELECT ${COLUMNS}
         FROM retention_policies WHERE organization_id = $1 AND project_id = $2`,
      [ctx.organization.id, ctx.currentProject.id],
    );
    return rows[0] ?? null;
  }

  /**
   * Sets the policy. A policy that becomes daily is first applied a day later (time to preview it); one that
   * stays daily keeps its next application; a manual one has none.
   */
  async put(ctx: RequestContext, p: RetentionPolicy): Promise<PolicyRow> {
    const rows = await queryRows<PolicyRow>(
      ctx.em,
      `INSERT INTO retention_policies AS p (organization_id, project_id, keep_last_versions, failed_run_files_days, run_filter, run_filter_days,
                                            updated_by, schedule, next_apply_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 = 'daily' THEN now() + interval '1 day' END)
       ON CONFLICT (organization_id, project_id) DO UPDATE SET keep_last_versions = EXCLUDED.keep_last_versions,
         failed_run_files_days = EXCLUDED.failed_run_files_days, run_filter = EXCLUDED.run_filter,
         run_filter_days = EXCLUDED.run_filter_days, updated_by = EXCLUDED.updated_by, updated_at = now(),
         schedule = EXCLUDED.schedule,
         next_apply_at = CASE WHEN EXCLUDED.schedule = 'daily' THEN coalesce(p.next_apply_at, EXCLUDED.next_apply_at) END
       RETURNING ${COLUMNS}`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        p.keepLastVersions,
        p.failedRunFilesDays,
        p.runFilter,
        p.runFilterDays,
        ctx.principal?.userId ?? null,
        p.schedule,
      ],
    );
    return rows[0]!;
  }

  /** Records an application of the current project's policy; a scheduled one also moves its next application a day on. */
  async markApplied(ctx: RequestContext, scheduled: boolean): Promise<void> {
    await ctx.em.query(
      `UPDATE retention_policies SET last_applied_at = now()${scheduled ? `, next_apply_at = now() + interval '1 day'` : ''}
        WHERE organization_id = $1 AND project_id = $2`,
      [ctx.organization.id, ctx.currentProject.id],
    );
  }

  /** Organizations with a daily policy of a live project due now (system scope: it looks across tenants, reads only ids). */
  async dueOrganizations(em: EntityManager): Promise<DueOrganization[]> {
    return queryRows<DueOrganization>(
      em,
      `SELECT o.id, o.slug, o.name FROM organizations o
        WHERE EXISTS (SELECT 1 FROM retention_policies p JOIN projects pr ON pr.id = p.project_id AND pr.deleted_at IS NULL
                       WHERE p.organization_id = o.id AND p.schedule = 'daily' AND p.next_apply_at <= now())
        ORDER BY o.id`,
      [],
    );
  }

  /**
   * Claims one due daily policy of the organization for the calling tenant transaction, skipping those
   * another node holds (and `skip`, tried already in this pass): the row stays locked until the transaction
   * that applies it and advances next_apply_at commits, so no two nodes apply it twice.
   */
  async claimDue(em: EntityManager, organizationId: string, skip: string[]): Promise<ClaimedPolicy | null> {
    const rows = await queryRows<ClaimedPolicy>(
      em,
      `SELECT p.project_id, pr.slug, pr.name, pr.visibility
         FROM retention_policies p JOIN projects pr ON pr.id = p.project_id
        WHERE p.organization_id = $1 AND p.schedule = 'daily' AND p.next_apply_at <= now() AND NOT (p.project_id = ANY($2::uuid[]))
        ORDER BY p.next_apply_at, p.project_id
        LIMIT 1
        FOR UPDATE OF p SKIP LOCKED`,
      [organizationId, skip],
    );
    return rows[0] ?? null;
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
