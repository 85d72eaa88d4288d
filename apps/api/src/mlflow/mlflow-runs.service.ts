import { Injectable } from '@nestjs/common';
import { ProjectPermission, type RunContext } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { RunsService } from '../runs/runs.service';
import { invalidParameter } from './mlflow.errors';
import { MlflowRepository, type RunScopeRow } from './mlflow.repository';
import { MlflowScopeService } from './mlflow-scope.service';
import { datasetInputs, latestMetrics, modelRefs, runParams, runTags, STATE_OF_STATUS, TAG, toRunInfo } from './mlflow-wire';

type Tag = { key: string; value?: string | null };

/** What MLflow's tags mean for a Trackbase run: name, notes, parent and context; all are also kept as tags. */
export function mapTags(tags: Tag[]) {
  const all: Record<string, string> = {};
  for (const t of tags) all[t.key] = t.value ?? '';
  const context: RunContext = {};
  if (all[TAG.gitCommit] || all[TAG.gitRepo] || all[TAG.gitBranch]) {
    context.source = {
      ...(all[TAG.gitCommit] ? { commit: all[TAG.gitCommit].slice(0, 100) } : {}),
      ...(all[TAG.gitBranch] ? { branch: all[TAG.gitBranch].slice(0, 500) } : {}),
      ...(all[TAG.gitRepo] ? { remote: all[TAG.gitRepo].slice(0, 2000) } : {}),
    };
  }
  if (all[TAG.sourceName]) context.command = { argv: [], entryPoint: all[TAG.sourceName].slice(0, 2000) };
  const parent = all[TAG.parent];
  if (parent !== undefined && !/^[0-9a-f-]{36}$/i.test(parent)) throw invalidParameter(`mlflow.parentRunId '${parent}' is not a run id`);
  return {
    all,
    name: all[TAG.runName]?.trim() ? all[TAG.runName].trim().slice(0, 250) : undefined,
    notes: all[TAG.note],
    parent: parent?.toLowerCase(),
    context: Object.keys(context).length ? context : undefined,
  };
}

/** MLflow runs as Trackbase runs (the same id), with MLflow's own fields in `mlflow_runs`. */
@Injectable()
export class MlflowRunsService {
  constructor(
    private readonly repo: MlflowRepository,
    private readonly scope: MlflowScopeService,
    private readonly runs: RunsService,
  ) {}

  async create(
    ctx: RequestContext,
    input: { experiment_id?: string; user_id?: string; run_name?: string; start_time?: number; tags?: Tag[] },
  ) {
    const { ctx: scoped, row } = await this.scope.experiment(ctx, input.experiment_id, ProjectPermission.RunsWrite);
    if (row.lifecycle_stage === 'deleted') throw invalidParameter('The experiment must be in the active state to create runs');
    const tags = mapTags(input.tags ?? []);
    const runName = input.run_name?.trim() || undefined;
    if (runName && tags.name && runName !== tags.name)
      throw invalidParameter(`Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values`);
    if (tags.parent) await this.scope.run(ctx, tags.parent, ProjectPermission.Read);
    const { run } = await this.runs.create(scoped, { name: runName ?? tags.name, context: tags.context });
    if (tags.notes) await this.runs.update(scoped, run.id, { notes: tags.notes.slice(0, 100_000) });
    delete tags.all[TAG.runName];
    await this.repo.upsertRun(ctx, run.id, {
      tags: tags.all,
      parentRunId: tags.parent ?? null,
      userId: input.user_id ?? tags.all[TAG.user] ?? null,
      startTime: input.start_time ?? Date.now(),
    });
    return this.get(ctx, run.id);
  }

  async get(ctx: RequestContext, runId: string, permission: ProjectPermission = ProjectPermission.Read) {
    const { ctx: scoped, row } = await this.scope.run(ctx, runId, permission);
    return { run: await this.render(scoped, row) };
  }

  async render(scoped: RequestContext, row: RunScopeRow) {
    const detail = await this.runs.get(scoped, row.run_id);
    const experimentId = this.scope.experimentIdOf(row);
    return {
      info: toRunInfo(detail, experimentId, row.mlflow),
      data: { metrics: latestMetrics(detail.series), params: runParams(detail.params), tags: runTags(detail, row.mlflow) },
      inputs: {
        dataset_inputs: datasetInputs(detail.inputs),
        model_inputs: modelRefs(detail.inputs).map(({ model_id }) => ({ model_id })),
      },
      outputs: { model_outputs: modelRefs(detail.outputs) },
    };
  }

  async update(ctx: RequestContext, input: { run_id: string; status?: string; end_time?: number; run_name?: string }) {
    const { ctx: scoped, row } = await this.scope.run(ctx, input.run_id, ProjectPermission.RunsWrite);
    const state = input.status ? STATE_OF_STATUS[input.status] : undefined;
    await this.runs.update(scoped, row.run_id, {
      ...(state ? { state } : {}),
      ...(input.run_name?.trim() ? { name: input.run_name.trim() } : {}),
    });
    const ended = state && state !== 'running';
    await this.repo.upsertRun(ctx, row.run_id, { endTime: ended ? (input.end_time ?? Date.now()) : null });
    const { run } = await this.get(ctx, row.run_id);
    return { run_info: run.info };
  }

  async setDeleted(ctx: RequestContext, runId: string, deleted: boolean) {
    const { row } = await this.scope.run(ctx, runId, ProjectPermission.RunsWrite);
    await this.repo.upsertRun(ctx, row.run_id, { deleted });
    return {};
  }

  async deleteTag(ctx: RequestContext, runId: string, key: string) {
    const { row } = await this.scope.run(ctx, runId, ProjectPermission.RunsWrite);
    if (!(row.mlflow?.tags && key in row.mlflow.tags)) throw invalidParameter(`No tag with name: ${key} in run with id ${runId}`);
    await this.repo.upsertRun(ctx, row.run_id, { removeTag: key });
    return {};
  }
}
