import { Injectable } from '@nestjs/common';
import { TrashErrorCode, type RetentionPlan, type RetentionPolicy, type RetentionPolicyResponse } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/context/request-context';
import { badRequest } from '../common/errors/app-error';
import { RunFilesRepository } from '../files/run-files.repository';
import { FilterError, parseFilter, RunSqlBuilder } from '../runs/filter';
import { runKey } from '../runs/run-key';
import { invalidFilter } from '../runs/runs.errors';
import { RetentionRepository, type PolicyRow } from './retention.repository';
import { TrashBin } from './trash-bin.service';

const EMPTY: RetentionPolicy = {
  keepLastVersions: null,
  failedRunFilesDays: null,
  runFilter: null,
  runFilterDays: null,
  schedule: 'manual',
};

/**
 * Project retention policies. `plan` computes what the policy removes now;
 * the dry run returns it, `apply` computes it in the same way inside its
 * transaction and moves exactly that into the trash (files of failed runs,
 * which have no trash, are deleted).
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly repo: RetentionRepository,
    private readonly trash: TrashBin,
    private readonly files: RunFilesRepository,
    private readonly audit: AuditService,
  ) {}

  async get(ctx: RequestContext): Promise<RetentionPolicyResponse> {
    return toResponse(await this.repo.get(ctx));
  }

  async put(ctx: RequestContext, policy: RetentionPolicy): Promise<RetentionPolicyResponse> {
    if ((policy.runFilter === null) !== (policy.runFilterDays === null))
      throw badRequest(TrashErrorCode.InvalidRetentionPolicy, 'runFilter and runFilterDays go together', [
        { path: policy.runFilter === null ? 'runFilter' : 'runFilterDays', message: 'required with the other' },
      ]);
    if (policy.runFilter !== null) this.compile(policy.runFilter);
    const row = await this.repo.put(ctx, policy);
    await this.audit.record(ctx, { action: 'retention.updated', targetType: 'project', targetId: ctx.currentProject.id, details: policy });
    return toResponse(row);
  }

  async preview(ctx: RequestContext): Promise<RetentionPlan> {
    return this.plan(ctx, toPolicy(await this.repo.get(ctx)));
  }

  /**
   * Applies the policy now: by hand (the route), or by its daily schedule (`scheduled`, from
   * RetentionScheduler, which has claimed the policy row in this transaction). Audited alike.
   */
  async apply(ctx: RequestContext, scheduled = false): Promise<RetentionPlan> {
    const plan = await this.plan(ctx, toPolicy(await this.repo.get(ctx)));
    await this.trash.runs(
      ctx,
      plan.runs.map((r) => r.id),
      'retention',
    );
    await this.trash.versions(
      ctx,
      plan.artifactVersions.map((v) => v.id),
      'retention',
    );
    for (const f of plan.runFiles) await this.files.remove(ctx, f.runId, f.path);
    await this.repo.markApplied(ctx, scheduled);
    await this.audit.record(ctx, {
      action: 'retention.applied',
      targetType: 'project',
      targetId: ctx.currentProject.id,
      details: {
        runs: plan.runs.length,
        artifactVersions: plan.artifactVersions.length,
        runFiles: plan.runFiles.length,
        by: scheduled ? 'schedule' : 'request',
      },
    });
    return { ...plan, dryRun: false };
  }

  private async plan(ctx: RequestContext, policy: RetentionPolicy): Promise<RetentionPlan> {
    const slug = ctx.currentProject.slug;
    const plan: RetentionPlan = { dryRun: true, artifactVersions: [], runs: [], runFiles: [] };
    if (policy.runFilter !== null && policy.runFilterDays !== null) {
      const sql = new RunSqlBuilder([ctx.organization.id, ctx.currentProject.id]);
      const where = this.compile(policy.runFilter, sql);
      const runs = await this.repo.runsMatching(ctx, where, sql.params, policy.runFilterDays);
      plan.runs = runs.map((r) => ({ id: r.id, key: runKey(slug, r.number) }));
    }
    if (policy.keepLastVersions !== null) {
      const versions = await this.repo.versionsBeyond(ctx, policy.keepLastVersions);
      plan.artifactVersions = versions.map((v) => ({ id: v.id, artifact: v.artifact, version: `v${v.number}` }));
    }
    if (policy.failedRunFilesDays !== null) {
      // Files of runs the run rule trashes go to the trash with their run.
      const trashed = new Set(plan.runs.map((r) => r.id));
      const files = await this.repo.failedRunFiles(ctx, policy.failedRunFilesDays);
      plan.runFiles = files
        .filter((f) => !trashed.has(f.run_id))
        .map((f) => ({ runId: f.run_id, runKey: runKey(slug, f.number), path: f.path }));
    }
    return plan;
  }

  private compile(filter: string, sql = new RunSqlBuilder(['', ''])): string {
    try {
      const node = parseFilter(filter);
      return node ? sql.where(node) : 'TRUE';
    } catch (e) {
      if (e instanceof FilterError) throw invalidFilter(`runFilter: ${e.message}`, [{ path: 'runFilter', message: e.message }]);
      throw e;
    }
  }
}

function toPolicy(row: PolicyRow | null): RetentionPolicy {
  if (!row) return EMPTY;
  return {
    keepLastVersions: row.keep_last_versions,
    failedRunFilesDays: row.failed_run_files_days,
    runFilter: row.run_filter,
    runFilterDays: row.run_filter_days,
    schedule: row.schedule,
  };
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

function toResponse(row: PolicyRow | null): RetentionPolicyResponse {
  return {
    ...toPolicy(row),
    updatedAt: iso(row?.updated_at),
    lastAppliedAt: iso(row?.last_applied_at),
    nextApplyAt: iso(row?.next_apply_at),
  };
}
