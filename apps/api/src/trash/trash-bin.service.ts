import { Inject, Injectable } from '@nestjs/common';
import type { TrashKind } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { TrashRepository } from './trash.repository';

/**
 * Moving things to the trash: what a delete of a run, an artifact, an artifact
 * version or a project does. Each move is audited (`<kind>.trashed`) in the same
 * transaction; the item is purged TRASH_RETENTION_DAYS later by the janitor.
 */
@Injectable()
export class TrashBin {
  constructor(
    private readonly repo: TrashRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async runs(ctx: RequestContext, ids: string[], reason: string): Promise<string[]> {
    const moved = await this.repo.trashRuns(ctx, ids, this.stamp(ctx));
    await this.record(ctx, 'run', moved, reason);
    return moved;
  }

  async versions(ctx: RequestContext, ids: string[], reason: string): Promise<string[]> {
    const moved = await this.repo.trashVersions(ctx, ids, this.stamp(ctx));
    await this.record(ctx, 'artifact_version', moved, reason);
    return moved;
  }

  /** Moves whole artifacts (with their versions, files and aliases) to the trash. */
  async artifacts(ctx: RequestContext, ids: string[], reason: string, details: Record<string, unknown> = {}): Promise<string[]> {
    const moved = await this.repo.trashArtifacts(ctx, ids, this.stamp(ctx));
    await this.record(ctx, 'artifact', moved, reason, details);
    return moved;
  }

  async project(ctx: RequestContext): Promise<void> {
    await this.repo.trashProject(ctx, this.stamp(ctx));
    await this.record(ctx, 'project', [ctx.currentProject.id], 'deleted', { slug: ctx.currentProject.slug });
  }

  private stamp(ctx: RequestContext) {
    return { by: ctx.principal?.userId ?? null, days: this.config.TRASH_RETENTION_DAYS };
  }

  private async record(ctx: RequestContext, kind: TrashKind, ids: string[], reason: string, details: Record<string, unknown> = {}) {
    for (const id of ids) {
      await this.audit.record(ctx, {
        action: `${kind}.trashed`,
        targetType: kind,
        targetId: id,
        details: { ...details, reason, purgeAfterDays: this.config.TRASH_RETENTION_DAYS },
      });
    }
  }
}
