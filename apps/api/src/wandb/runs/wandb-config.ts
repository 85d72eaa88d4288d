import type { ParamValue, RunContext } from '@trackbase/contracts';

/**
 * W&B sends its config as a JSON string of `{key: {value, desc}}` plus
 * `_wandb` (the client's own bookkeeping). Trackbase keeps the values as run
 * parameters and `_wandb` in the context.
 */
export function unwrapConfig(config: Record<string, unknown>): { params: Record<string, ParamValue>; internal: unknown } {
  const params: Record<string, ParamValue> = {};
  let internal: unknown = undefined;
  for (const [key, entry] of Object.entries(config)) {
    const value = entry !== null && typeof entry === 'object' && 'value' in entry ? (entry as { value: unknown }).value : entry;
    if (key === '_wandb') internal = value;
    else params[key] = toParamValue(value);
  }
  return { params, internal };
}

function toParamValue(value: unknown): ParamValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 4_096 ? value.slice(0, 4_096) : value;
  if (Array.isArray(value)) return value.slice(0, 1_000).map(toParamValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toParamValue(v)]));
  return String(value);
}

/** Parses a JSONString argument; `{}` for null, a bad string or a non-object. */
export function parseJsonObject(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || !text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What W&B knows of where a run ran, in Trackbase's context shape, and the W&B-only fields beside it. */
export function contextOf(input: {
  host?: string | null;
  program?: string | null;
  commit?: string | null;
  repo?: string | null;
  groupName?: string | null;
  jobType?: string | null;
  sweep?: string | null;
  internal?: unknown;
}): RunContext {
  const context: Record<string, unknown> = {};
  if (input.host) context.host = { hostname: input.host.slice(0, 255) };
  if (input.program) context.command = { argv: [], entryPoint: input.program.slice(0, 2_000) };
  if (input.commit || input.repo) {
    context.source = {
      ...(input.commit ? { commit: input.commit.slice(0, 100) } : {}),
      ...(input.repo ? { remote: input.repo.slice(0, 2_000) } : {}),
    };
  }
  const wandb = {
    ...(input.groupName ? { group: input.groupName } : {}),
    ...(input.jobType ? { jobType: input.jobType } : {}),
    ...(input.sweep ? { sweep: input.sweep } : {}),
    ...(input.internal !== undefined ? { _wandb: input.internal } : {}),
  };
  if (Object.keys(wandb).length) context.wandb = wandb;
  // The run context is free-form JSON in storage; `wandb` and `summary` are this layer's keys beside the standard ones.
  return context as RunContext;
}
