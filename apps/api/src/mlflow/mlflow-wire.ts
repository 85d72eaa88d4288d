import { fromWireFloat, type RunDetail, type RunState } from '@trackbase/contracts';
import type { MlflowRunRow } from './mlflow.repository';

/** The protobuf JSON mapping: NaN and infinities as strings. */
export function wireDouble(value: number | string | null): number | string {
  if (value === null) return 'NaN';
  const n = typeof value === 'string' ? fromWireFloat(value as never) : value;
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return n;
}

export const STATUS_OF_STATE: Record<RunState, string> = {
  running: 'RUNNING',
  finished: 'FINISHED',
  failed: 'FAILED',
  aborted: 'KILLED',
  crashed: 'FAILED',
};

export const STATE_OF_STATUS: Record<string, 'running' | 'finished' | 'failed' | 'aborted'> = {
  RUNNING: 'running',
  SCHEDULED: 'running',
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'aborted',
};

/** Tags MLflow uses for what Trackbase keeps as run fields. */
export const TAG = {
  runName: 'mlflow.runName',
  note: 'mlflow.note.content',
  parent: 'mlflow.parentRunId',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
  gitRepo: 'mlflow.source.git.repoURL',
} as const;

export function paramText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function artifactUri(experimentId: string, runId: string): string {
  return `mlflow-artifacts:/${experimentId}/${runId}/artifacts`;
}

export interface RunParts {
  id: string;
  name: string;
  state: RunState;
  notes: string;
  startedAt: string;
  endedAt: string | null;
  createdBy: string | null;
  params: Record<string, unknown>;
}

/** A Trackbase run (with its MLflow row) as MLflow's `RunInfo`. */
export function toRunInfo(run: RunParts, experimentId: string, mlflow: MlflowRunRow | null) {
  return {
    run_id: run.id,
    run_uuid: run.id,
    run_name: run.name,
    experiment_id: experimentId,
    user_id: mlflow?.user_id ?? run.createdBy ?? '',
    status: STATUS_OF_STATE[run.state],
    start_time: mlflow?.start_time ? Number(mlflow.start_time) : Date.parse(run.startedAt),
    ...(run.state === 'running'
      ? {}
      : { end_time: mlflow?.end_time ? Number(mlflow.end_time) : run.endedAt ? Date.parse(run.endedAt) : undefined }),
    artifact_uri: artifactUri(experimentId, run.id),
    lifecycle_stage: mlflow?.deleted_at ? 'deleted' : 'active',
  };
}

/** MLflow's tags of a run: those it sent, with name, note and parent as Trackbase holds them now. */
export function runTags(run: RunParts, mlflow: MlflowRunRow | null): Array<{ key: string; value: string }> {
  const tags: Record<string, string> = { ...(mlflow?.tags ?? {}) };
  tags[TAG.runName] = run.name;
  if (run.notes) tags[TAG.note] = run.notes;
  else delete tags[TAG.note];
  if (mlflow?.parent_run_id) tags[TAG.parent] = mlflow.parent_run_id;
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function runParams(params: Record<string, unknown>): Array<{ key: string; value: string }> {
  return Object.entries(params).map(([key, value]) => ({ key, value: paramText(value) }));
}

interface AssetLike {
  kind?: unknown;
  name?: unknown;
  digest?: unknown;
  uri?: unknown;
  metadata?: unknown;
}

/** Dataset inputs of a run as MLflow's `DatasetInput`s (the MLflow fields travel in the asset's metadata). */
export function datasetInputs(inputs: AssetLike[]) {
  return inputs
    .filter((a) => a.kind === 'dataset')
    .map((a) => {
      const meta = ((a.metadata as Record<string, unknown> | null)?.mlflow ?? {}) as Record<string, string | undefined>;
      return {
        tags: meta.context ? [{ key: 'mlflow.data.context', value: meta.context }] : [],
        dataset: {
          name: String(a.name),
          digest: String(a.digest ?? ''),
          source_type: meta.source_type ?? 'unknown',
          source: meta.source ?? String(a.uri ?? ''),
          ...(meta.schema ? { schema: meta.schema } : {}),
          ...(meta.profile ? { profile: meta.profile } : {}),
        },
      };
    });
}

/** Logged models linked to a run (their MLflow id travels in the model asset's metadata). */
export function modelRefs(assets: AssetLike[]): Array<{ model_id: string; step: number }> {
  return assets.flatMap((a) => {
    const meta = ((a.metadata as Record<string, unknown> | null)?.mlflow ?? {}) as { model_id?: string; step?: number };
    return a.kind === 'model' && meta.model_id ? [{ model_id: meta.model_id, step: meta.step ?? 0 }] : [];
  });
}

export function latestMetrics(series: RunDetail['series']) {
  return series
    .filter((s) => s.kind === 'metric' && s.lastStep !== null)
    .map((s) => ({ key: s.name, value: wireDouble(s.last as never), timestamp: s.lastTime ?? 0, step: s.lastStep ?? 0 }));
}
