import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ProjectPermission, type AssetRef, type NumericSeriesBatch, type RunBatch } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { BatchService } from '../runs/ingest/batch.service';
import { RunsService } from '../runs/runs.service';
import type { MlflowMetric } from './mlflow.dto';
import { invalidParameter } from './mlflow.errors';
import { MlflowRepository, type RunScopeRow } from './mlflow.repository';
import { MlflowScopeService } from './mlflow-scope.service';
import { mapTags } from './mlflow-runs.service';
import { paramText, TAG } from './mlflow-wire';

/** MLflow's limits on one log-batch request (validation.py), answered 400 as MLflow does. */
export const MLFLOW_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, entities: 1000 } as const;
/** Every MLflow write becomes one Trackbase batch of this stream, numbered by its content (see `seqOf`). */
const STREAM_ID = 'mlflow';
const KEY = /^[/\w.\- ]*$/;
const LOG_MODEL_HISTORY = 'mlflow.log-model.history';

type Tag = { key: string; value?: string | null };
type Param = { key: string; value: string };

export interface MlflowBatch {
  run_id: string;
  metrics?: MlflowMetric[];
  params?: Param[];
  tags?: Tag[];
}

function checkKey(key: string, what: string): void {
  if (!KEY.test(key))
    throw invalidParameter(
      `Invalid ${what} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`,
    );
}

/**
 * The batch's sequence number is derived from its content: a retry of the same
 * request (the client retries 5xx and timeouts) is recognised by the batch
 * ledger and not applied twice, as MLflow deduplicates identical metric rows.
 */
export function seqOf(runId: string, body: unknown): number {
  return parseInt(createHash('sha256').update(runId).update(JSON.stringify(body)).digest('hex').slice(0, 13), 16);
}

@Injectable()
export class RunLoggingService {
  constructor(
    private readonly repo: MlflowRepository,
    private readonly scope: MlflowScopeService,
    private readonly runs: RunsService,
    private readonly batches: BatchService,
  ) {}

  async logBatch(ctx: RequestContext, input: MlflowBatch) {
    const metrics = input.metrics ?? [];
    const params = input.params ?? [];
    const tags = input.tags ?? [];
    if (metrics.length > MLFLOW_BATCH_LIMITS.metrics)
      throw invalidParameter(
        `A batch logging request can contain at most ${MLFLOW_BATCH_LIMITS.metrics} metrics. Got ${metrics.length} metrics.`,
      );
    if (params.length > MLFLOW_BATCH_LIMITS.params)
      throw invalidParameter(
        `A batch logging request can contain at most ${MLFLOW_BATCH_LIMITS.params} params. Got ${params.length} params.`,
      );
    if (tags.length > MLFLOW_BATCH_LIMITS.tags)
      throw invalidParameter(`A batch logging request can contain at most ${MLFLOW_BATCH_LIMITS.tags} tags. Got ${tags.length} tags.`);
    if (metrics.length + params.length + tags.length > MLFLOW_BATCH_LIMITS.entities)
      throw invalidParameter(`A batch logging request can contain at most ${MLFLOW_BATCH_LIMITS.entities} entities in total.`);
    metrics.forEach((m) => checkKey(m.key, 'metric'));
    params.forEach((p) => checkKey(p.key, 'param'));
    const { ctx: scoped, row } = await this.scope.run(ctx, input.run_id, ProjectPermission.RunsWrite);
    this.checkActive(row);

    const batch: RunBatch = { streamId: STREAM_ID, seq: seqOf(row.run_id, input) };
    if (metrics.length) batch.metrics = toSeries(metrics);
    if (params.length) batch.params = await this.newParams(scoped, row, params);
    const mapped = tags.length ? mapTags(tags) : null;
    if (mapped?.context) batch.context = mapped.context;
    if (batch.metrics || (batch.params && Object.keys(batch.params).length) || batch.context) {
      await this.batches.apply(scoped, row.run_id, batch);
    }
    if (mapped) await this.applyTags(ctx, scoped, row, mapped);
    return {};
  }

  async logInputs(
    ctx: RequestContext,
    input: {
      run_id: string;
      datasets?: Array<{
        dataset: { name: string; digest: string; source_type?: string; source?: string; schema?: string; profile?: string };
        tags?: Tag[];
      }>;
    },
  ) {
    const { ctx: scoped, row } = await this.scope.run(ctx, input.run_id, ProjectPermission.RunsWrite);
    this.checkActive(row);
    const inputs: AssetRef[] = (input.datasets ?? []).map(({ dataset, tags }) => ({
      kind: 'dataset',
      name: dataset.name.slice(0, 250),
      digest: dataset.digest,
      ...(dataset.source && dataset.source.length <= 4000 ? { uri: dataset.source } : {}),
      metadata: {
        mlflow: {
          source_type: dataset.source_type,
          source: dataset.source,
          schema: dataset.schema,
          profile: dataset.profile,
          context: tags?.find((t) => t.key === 'mlflow.data.context')?.value ?? undefined,
        },
      },
    }));
    if (inputs.length) await this.batches.apply(scoped, row.run_id, { streamId: STREAM_ID, seq: seqOf(row.run_id, input), inputs });
    return {};
  }

  /** MLflow 2's log_model: the MLmodel document is appended to the run's `mlflow.log-model.history` tag, as MLflow's server does. */
  async logModel(ctx: RequestContext, runId: string, modelJson: string) {
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw invalidParameter('model_json is not valid JSON');
    }
    const { row } = await this.scope.run(ctx, runId, ProjectPermission.RunsWrite);
    this.checkActive(row);
    let history: unknown[] = [];
    try {
      const parsed: unknown = JSON.parse(row.mlflow?.tags?.[LOG_MODEL_HISTORY] ?? '[]');
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      history = [];
    }
    history.push(model);
    await this.repo.upsertRun(ctx, row.run_id, { tags: { [LOG_MODEL_HISTORY]: JSON.stringify(history) } });
    return {};
  }

  private checkActive(row: RunScopeRow): void {
    if (row.mlflow?.deleted_at) throw invalidParameter(`The run ${row.run_id} must be in the 'active' state. Current state is deleted.`);
  }

  /** Params are write-once: the same value again is fine, another value is refused (400, as MLflow). */
  private async newParams(scoped: RequestContext, row: RunScopeRow, params: Param[]): Promise<Record<string, string>> {
    const existing = await this.repo.runParams(scoped, row.run_id);
    const fresh: Record<string, string> = {};
    for (const p of params) {
      const old = existing[p.key] ?? fresh[p.key];
      if (old !== undefined && paramText(old) !== p.value) {
        throw invalidParameter(
          `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${paramText(old)}' for run ID='${row.run_id}'. Attempted logging new value '${p.value}'.`,
        );
      }
      if (old === undefined) fresh[p.key] = p.value.slice(0, 4096);
    }
    return fresh;
  }

  private async applyTags(ctx: RequestContext, scoped: RequestContext, row: RunScopeRow, mapped: ReturnType<typeof mapTags>) {
    if (mapped.name || mapped.notes !== undefined) {
      await this.runs.update(scoped, row.run_id, {
        ...(mapped.name ? { name: mapped.name } : {}),
        ...(mapped.notes !== undefined ? { notes: mapped.notes.slice(0, 100_000) } : {}),
      });
    }
    if (mapped.parent) await this.scope.run(ctx, mapped.parent, ProjectPermission.Read);
    const all = { ...mapped.all };
    delete all[TAG.runName];
    await this.repo.upsertRun(ctx, row.run_id, { tags: all, ...(mapped.parent ? { parentRunId: mapped.parent } : {}) });
  }
}

/** MLflow's metric rows as Trackbase series, one per key, in the order the client sent them. */
export function toSeries(metrics: MlflowMetric[]): NumericSeriesBatch[] {
  const byKey = new Map<string, NumericSeriesBatch>();
  metrics.forEach((m, i) => {
    if (!Number.isSafeInteger(m.step) || m.step < 0)
      throw invalidParameter(`metrics[${i}]: step ${m.step} is not supported; Trackbase steps are whole numbers >= 0`);
    let s = byKey.get(m.key);
    if (!s) byKey.set(m.key, (s = { name: m.key, steps: [], values: [], times: [] }));
    s.steps.push(m.step);
    s.values.push(m.value);
    s.times.push(m.timestamp);
  });
  return [...byKey.values()];
}
