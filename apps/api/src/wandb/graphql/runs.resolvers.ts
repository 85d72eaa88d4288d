import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import type { RunRecord } from '../../runs/run-row';
import { WandbRunsService, type UpsertBucketInput } from '../runs/wandb-runs.service';
import type { WandbRunState } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { ArtifactReadsResolvers } from './artifact-reads.resolvers';
import { projectOf, type GraphqlContext } from './graphql-context';

/** `UpsertBucket` (create or update a run) and the project/run look-ups of `RunResumeStatus`. */
@Injectable()
export class RunsResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly runs: WandbRunsService,
    private readonly artifactReads: ArtifactReadsResolvers,
  ) {}

  root() {
    const project = (args: { name?: string | null; entityName?: string | null }, { caller }: GraphqlContext) =>
      this.project(caller, args.entityName, args.name);
    return {
      model: project,
      project,
      upsertBucket: async ({ input }: { input: UpsertBucketInput }, { caller }: GraphqlContext) =>
        this.scope.inProject(
          caller,
          input.entityName,
          input.modelName,
          'runs',
          async (ctx) => {
            const { run, state, inserted } = await this.runs.upsert(ctx, input);
            return { bucket: bucketOf(ctx, run, state), inserted, serverSettings: { serverMessages: [] } };
          },
          { create: true },
        ),
    };
  }

  /** A project the caller can read, or null: a new project (or another organization's) means a new run. */
  private async project(caller: WandbCaller, entity: string | null | undefined, name: string | null | undefined) {
    try {
      return await this.scope.inProject(caller, entity, name, 'read', async (ctx) => {
        const runOf = ({ name: runName }: { name: string }) =>
          this.scope.inProject(caller, entity, name, 'read', async (inner) => {
            const found = await this.runs.find(inner, runName);
            return found ? bucketOf(inner, found.run, found.state) : null;
          });
        return {
          ...projectOf(ctx),
          bucket: runOf,
          run: runOf,
          ...this.artifactReads.projectFields(caller, ctx.organization.slug, ctx.currentProject.slug),
        };
      });
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    }
  }
}

/** A run as W&B's `Bucket`: its name is the client's run id, config and summary as the client sent them. */
export function bucketOf(ctx: RequestContext, run: RunRecord, state: WandbRunState | null) {
  const config = state?.config ?? {};
  return {
    id: run.id,
    name: run.external_id ?? run.id,
    displayName: run.name,
    description: run.description,
    notes: run.notes,
    config: JSON.stringify(config),
    summaryMetrics: JSON.stringify(state?.summary ?? {}),
    tags: run.tags,
    state: run.state,
    sweepName: null,
    // Stopped from the web app: older clients poll this (RunStoppedStatus), newer ones read file_stream's answer.
    stopped: run.state === 'aborted',
    logLineCount: state?.console_lines ?? 0,
    historyLineCount: state?.history_lines ?? 0,
    eventsLineCount: state?.events_lines ?? 0,
    historyTail: JSON.stringify(state?.history_tail ? [state.history_tail] : []),
    eventsTail: JSON.stringify(state?.events_tail ? [state.events_tail] : []),
    wandbConfig: ({ keys }: { keys?: string[] | null }) => {
      const entry = config._wandb as { value?: Record<string, unknown> } | undefined;
      const internal = entry && typeof entry === 'object' ? (entry.value ?? {}) : {};
      const picked = keys ? Object.fromEntries(keys.filter((k) => k in internal).map((k) => [k, internal[k]])) : internal;
      return JSON.stringify(picked);
    },
    project: projectOf(ctx),
  };
}
