import { Injectable } from '@nestjs/common';
import { ProjectPermission } from '@trackbase/contracts';
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { BatchService } from '../runs/ingest/batch.service';
import { decodeOffset, encodeOffset } from './experiments.service';
import { matchesClause } from './filter/experiment-filter';
import { parseMlflowFilter } from './filter/mlflow-filter';
import { doesNotExist, invalidParameter } from './mlflow.errors';
import { LoggedModelsRepository, type LoggedModelRow } from './logged-models.repository';
import { MlflowScopeService, type Scoped } from './mlflow-scope.service';
import { MlflowRepository } from './mlflow.repository';
import { seqOf } from './run-logging.service';

type KeyValue = { key: string; value?: string | null };
const STATUSES = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];
export const LOGGED_MODEL_FILES = 'logged-models';

function toObject(list: KeyValue[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => [t.key, t.value ?? '']));
}

/** MLflow 3's logged models; a model named in runs/outputs becomes a model output of the run (lineage). */
@Injectable()
export class LoggedModelsService {
  constructor(
    private readonly models: LoggedModelsRepository,
    private readonly repo: MlflowRepository,
    private readonly scope: MlflowScopeService,
    private readonly batches: BatchService,
  ) {}

  toModel(m: LoggedModelRow, experimentId: string) {
    return {
      info: {
        model_id: m.id,
        experiment_id: experimentId,
        name: m.name,
        creation_timestamp_ms: new Date(m.created_at).getTime(),
        last_updated_timestamp_ms: new Date(m.updated_at).getTime(),
        artifact_uri: `mlflow-artifacts:/${experimentId}/models/${m.id}/artifacts`,
        status: m.status,
        ...(m.model_type ? { model_type: m.model_type } : {}),
        ...(m.source_run_id ? { source_run_id: m.source_run_id } : {}),
        tags: Object.entries(m.tags).map(([key, value]) => ({ key, value })),
      },
      data: { params: Object.entries(m.params).map(([key, value]) => ({ key, value })), metrics: [] },
    };
  }

  /** The model and its experiment's scope, with `permission` checked there. */
  async resolve(ctx: RequestContext, modelId: string, permission: ProjectPermission): Promise<Scoped & { model: LoggedModelRow }> {
    const model = await this.models.find(ctx, modelId);
    const project = model ? await this.repo.projectById(ctx, model.project_id) : null;
    const what = `Logged model with ID '${modelId}' not found`;
    if (!model || !project) throw doesNotExist(what);
    return { ctx: this.scope.check(ctx, project, permission, what), row: project, model };
  }

  async create(
    ctx: RequestContext,
    input: { experiment_id: string; name?: string; model_type?: string; source_run_id?: string; params?: KeyValue[]; tags?: KeyValue[] },
  ) {
    const { row } = await this.scope.experiment(ctx, input.experiment_id, ProjectPermission.RunsWrite);
    if (input.source_run_id) {
      const run = await this.scope.run(ctx, input.source_run_id, ProjectPermission.RunsWrite);
      if (run.row.id !== row.id) throw invalidParameter('source_run_id belongs to another experiment');
    }
    const id = `m-${randomBytes(16).toString('hex')}`;
    const model = await this.models.insert(ctx, {
      id,
      projectId: row.id,
      sourceRunId: input.source_run_id?.toLowerCase() ?? null,
      name: (input.name || id).slice(0, 250),
      modelType: input.model_type ?? null,
      params: toObject(input.params),
      tags: toObject(input.tags),
    });
    return { model: this.toModel(model, this.scope.experimentIdOf(row)) };
  }

  async get(ctx: RequestContext, modelId: string) {
    const { model, row } = await this.resolve(ctx, modelId, ProjectPermission.Read);
    return { model: this.toModel(model, this.scope.experimentIdOf(row)) };
  }

  async update(ctx: RequestContext, modelId: string, set: { status?: string; params?: KeyValue[]; tags?: KeyValue[]; removeTag?: string }) {
    if (set.status && !STATUSES.includes(set.status)) throw invalidParameter(`unknown logged model status '${set.status}'`);
    await this.resolve(ctx, modelId, ProjectPermission.RunsWrite);
    await this.models.update(ctx, modelId, {
      status: set.status,
      params: set.params && toObject(set.params),
      tags: set.tags && toObject(set.tags),
      removeTag: set.removeTag,
    });
    return this.get(ctx, modelId);
  }

  async delete(ctx: RequestContext, modelId: string) {
    await this.resolve(ctx, modelId, ProjectPermission.RunsWrite);
    await this.models.softDelete(ctx, modelId);
    return {};
  }

  async search(ctx: RequestContext, q: { experiment_ids?: string[]; filter?: string; max_results?: number; page_token?: string }) {
    const experiments = new Map<string, string>();
    for (const id of q.experiment_ids ?? []) {
      try {
        const { row } = await this.scope.experiment(ctx, id, ProjectPermission.Read);
        experiments.set(row.id, this.scope.experimentIdOf(row));
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 404) throw error;
      }
    }
    const clauses = parseMlflowFilter(q.filter ?? '');
    const value = (m: LoggedModelRow, entity: string, key: string): string | number | undefined => {
      if (entity === 'tag') return m.tags[key];
      if (entity === 'param') return m.params[key];
      if (entity !== 'attribute') throw invalidParameter(`logged models cannot be filtered by ${entity}s`);
      const attrs: Record<string, string | number | undefined> = {
        name: m.name,
        model_id: m.id,
        model_type: m.model_type ?? undefined,
        status: m.status,
        source_run_id: m.source_run_id ?? undefined,
        creation_time: new Date(m.created_at).getTime(),
        creation_timestamp_ms: new Date(m.created_at).getTime(),
        last_updated_timestamp_ms: new Date(m.updated_at).getTime(),
      };
      if (!(key in attrs)) throw invalidParameter(`Invalid attribute key '${key}' for logged models`);
      return attrs[key];
    };
    const all = (await this.models.inProjects(ctx, [...experiments.keys()])).filter((m) =>
      clauses.every((c) => matchesClause(value(m, c.entity, c.key), c)),
    );
    const offset = decodeOffset(q.page_token);
    const limit = Math.min(q.max_results ?? 50, 1000);
    return {
      models: all.slice(offset, offset + limit).map((m) => this.toModel(m, experiments.get(m.project_id)!)),
      ...(offset + limit < all.length ? { next_page_token: encodeOffset(offset + limit) } : {}),
    };
  }

  /** runs/outputs (and log-inputs' models): each model becomes a model asset linked to the run. */
  async link(ctx: RequestContext, runId: string, direction: 'input' | 'output', models: Array<{ model_id: string; step?: number }>) {
    const { ctx: scoped, row } = await this.scope.run(ctx, runId, ProjectPermission.RunsWrite);
    const refs = [];
    for (const m of models) {
      const { model } = await this.resolve(ctx, m.model_id, ProjectPermission.Read);
      refs.push({
        kind: 'model' as const,
        name: model.name,
        version: model.id,
        ...(model.model_type ? { framework: model.model_type.slice(0, 100) } : {}),
        metadata: { mlflow: { model_id: model.id, step: m.step ?? 0 } },
      });
    }
    if (refs.length) {
      const seq = seqOf(row.run_id, { direction, models });
      await this.batches.apply(scoped, row.run_id, {
        streamId: `mlflow-${direction}`,
        seq,
        [direction === 'input' ? 'inputs' : 'outputs']: refs,
      });
    }
    return {};
  }
}
