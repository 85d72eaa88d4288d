import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { WandbRunsService, type UpsertBucketInput } from '../runs/wandb-runs.service';
import { wandbNotFound } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { ArtifactReadsResolvers } from './artifact-reads.resolvers';
import { projectOf, type GraphqlContext } from './graphql-context';
import { PublicRunsResolvers } from './public-runs.resolvers';
import { bucketOf } from './run-bucket';

/** `UpsertBucket` (create or update a run) and the project/run look-ups of `RunResumeStatus` and the public API. */
@Injectable()
export class RunsResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly runs: WandbRunsService,
    private readonly artifactReads: ArtifactReadsResolvers,
    private readonly publicRuns: PublicRunsResolvers,
    private readonly repository: WandbRepository,
  ) {}

  root() {
    const project = (args: { name?: string | null; entityName?: string | null }, { caller }: GraphqlContext) =>
      this.project(caller, args.entityName, args.name);
    return {
      model: project,
      project,
      upsertBucket: async ({ input }: { input: UpsertBucketInput }, { caller }: GraphqlContext) => {
        // The public API's `run.update()` and summary writes name the run by its id alone: it is
        // updated where it lives (or answers not found), never created in a default project.
        const byId = !input.modelName && !input.name && input.id;
        const home = byId ? await this.repository.runHome(caller.principal.userId, input.id!) : null;
        if (byId && !home) throw wandbNotFound(`run ${input.id}`);
        return this.scope.inProject(
          caller,
          home?.entity ?? input.entityName,
          home?.project ?? input.modelName,
          'runs',
          async (ctx) => {
            const { run, state, inserted } = await this.runs.upsert(ctx, input, { edit: Boolean(home) });
            const fields = this.publicRuns.projectFields(caller, ctx).runFields(run.id);
            return { bucket: { ...bucketOf(ctx, run, state), ...fields }, inserted, serverSettings: { serverMessages: [] } };
          },
          { create: !home },
        );
      },
    };
  }

  /** A project the caller can read, or null: a new project (or another organization's) means a new run. */
  private async project(caller: WandbCaller, entity: string | null | undefined, name: string | null | undefined) {
    try {
      return await this.scope.inProject(caller, entity, name, 'read', async (ctx) => {
        const publicRuns = this.publicRuns.projectFields(caller, ctx);
        const runOf = ({ name: runName }: { name: string }) =>
          this.scope.inProject(caller, entity, name, 'read', async (inner) => {
            const found = await this.runs.find(inner, runName);
            return found ? { ...bucketOf(inner, found.run, found.state), ...publicRuns.runFields(found.run.id) } : null;
          });
        return {
          ...projectOf(ctx),
          bucket: runOf,
          run: runOf,
          ...publicRuns.fields,
          ...this.artifactReads.projectFields(caller, ctx.organization.slug, ctx.currentProject.slug),
        };
      });
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    }
  }
}
