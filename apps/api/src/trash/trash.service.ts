import { Injectable } from '@nestjs/common';
import type { ProjectTrashKind, TrashItem, TrashKind, TrashList } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { ProjectsService } from '../projects/projects.service';
import { runKey } from '../runs/run-key';
import { artifactNameTaken } from './trash.errors';
import { TrashRepository, type TrashRow } from './trash.repository';

/** Listing, restoring and purging trashed items; every restore and purge is audited. */
@Injectable()
export class TrashService {
  constructor(
    private readonly repo: TrashRepository,
    private readonly audit: AuditService,
    private readonly projects: ProjectsService,
  ) {}

  async listProject(ctx: RequestContext): Promise<TrashList> {
    return { items: (await this.repo.listProject(ctx)).map((row) => toItem(row, ctx.currentProject.slug)) };
  }

  async listProjects(ctx: RequestContext): Promise<TrashList> {
    return { items: (await this.repo.listProjects(ctx)).map((row) => toItem(row)) };
  }

  async restore(ctx: RequestContext, kind: ProjectTrashKind, id: string): Promise<void> {
    if (kind === 'artifact') {
      const outcome = await this.repo.restoreArtifact(ctx, id);
      if (outcome === 'missing') throw notFound('trashed item');
      if (outcome === 'taken') throw artifactNameTaken();
    } else {
      const done = kind === 'run' ? await this.repo.restoreRun(ctx, id) : await this.repo.restoreVersion(ctx, id);
      if (!done) throw notFound('trashed item');
    }
    await this.audit.record(ctx, { action: `${kind}.restored`, targetType: kind, targetId: id });
  }

  async restoreProject(ctx: RequestContext, id: string): Promise<void> {
    const project = await this.repo.restoreProject(ctx, id);
    if (!project) throw notFound('trashed project');
    this.projects.restored(ctx);
    await this.audit.record(ctx, { action: 'project.restored', targetType: 'project', targetId: id, details: { slug: project.slug } });
  }

  /** Deletes a trashed item for good now; its stored objects leave the store in the janitor's next pass. */
  async purge(ctx: RequestContext, kind: TrashKind, id: string): Promise<void> {
    if (!(await this.repo.purge(ctx, kind, id))) throw notFound('trashed item');
    await this.audit.record(ctx, { action: `${kind}.purged`, targetType: kind, targetId: id });
  }
}

function toItem(row: TrashRow, projectSlug?: string): TrashItem {
  return {
    kind: row.kind,
    id: row.id,
    label: row.kind === 'run' && projectSlug ? `${runKey(projectSlug, row.number!)} (${row.label})` : row.label,
    deletedAt: new Date(row.deleted_at).toISOString(),
    deletedBy: row.deleted_by,
    purgeAfter: new Date(row.purge_after).toISOString(),
    sizeBytes: Number(row.size_bytes ?? 0),
  };
}
