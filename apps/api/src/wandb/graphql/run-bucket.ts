import type { RequestContext } from '../../common/context/request-context';
import type { RunRecord } from '../../runs/run-row';
import type { WandbRunState } from '../wandb.repository';
import { projectOf } from './graphql-context';

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
    createdAt: run.created_at.toISOString(),
    heartbeatAt: (run.heartbeat_at ?? run.ended_at ?? run.created_at).toISOString(),
    // W&B's system metrics of a run: the last line of wandb-events.jsonl the client sent.
    systemMetrics: systemMetricsOf(state?.events_tail ?? null),
    project: projectOf(ctx),
  };
}

function systemMetricsOf(tail: string | null): string {
  if (!tail) return '{}';
  try {
    const line = JSON.parse(tail) as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(Object.entries(line).filter(([k]) => !k.startsWith('_'))));
  } catch {
    return '{}';
  }
}
