import { Injectable } from '@nestjs/common';
import { ProjectPermission } from '@trackbase/contracts';
import { AccessService } from '../common/access/access.service';
import type { ProjectScope, RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import type { RunRecord } from './run-row';
import { RunsRepository, type ForkAncestor } from './runs.repository';

/**
 * Forks across projects of one organization. A fork's parent may be a run of another project the creator can read
 * (`forkFrom: "<project>/<run>"`); reads stitch an ancestor's points in only for callers who can read its project,
 * so a reader of the fork who cannot read the parent's project sees the fork's own points, as for a plain run.
 */
@Injectable()
export class ForkAccess {
  constructor(
    private readonly access: AccessService,
    private readonly runs: RunsRepository,
  ) {}

  /** The run `forkFrom` names: in this project, or `<project slug>/<run>` in another readable one; 404 otherwise. */
  async parent(ctx: RequestContext, forkFrom: string): Promise<RunRecord> {
    const slash = forkFrom.indexOf('/');
    if (slash < 0) return this.runs.find(ctx, forkFrom);
    const [slug, ref] = [forkFrom.slice(0, slash), forkFrom.slice(slash + 1)];
    if (slug === ctx.currentProject.slug) return this.runs.find(ctx, ref);
    const project = await this.readable(ctx, slug);
    if (!project) throw notFound('run');
    return this.runs.find(ctx, ref, { project });
  }

  /** The fork chains of `runIds`, each cut before its first ancestor in a project the caller cannot read. */
  async chains(ctx: RequestContext, runIds: string[]): Promise<Map<string, ForkAncestor[]>> {
    const chains = await this.runs.forkChains(ctx, runIds);
    const verdicts = new Map<string, boolean>([[ctx.currentProject.id, true]]);
    for (const [runId, chain] of chains) {
      const kept: ForkAncestor[] = [];
      for (const ancestor of chain) {
        let readable = verdicts.get(ancestor.projectId);
        if (readable === undefined) {
          readable = (await this.readable(ctx, ancestor.projectSlug)) !== null;
          verdicts.set(ancestor.projectId, readable);
        }
        if (!readable) break;
        kept.push(ancestor);
      }
      chains.set(runId, kept);
    }
    return chains;
  }

  private async readable(ctx: RequestContext, slug: string): Promise<ProjectScope | null> {
    if (!ctx.principal) return null;
    const project = await this.access.resolveProject(ctx.principal, ctx.organization, slug);
    return ctx.can(ProjectPermission.Read, project) ? project : null;
  }
}
