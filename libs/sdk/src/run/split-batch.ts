import type { RunBatch } from '@trackbase/contracts';

type Series = NonNullable<RunBatch['metrics']>[number];
type TextSeries = NonNullable<RunBatch['text']>[number];
type Asset = NonNullable<RunBatch['inputs']>[number];

/** One separable piece of a batch: a series (or a slice of its points), a parameter, a tag, a context part, an asset. */
type Part =
  | { field: 'metrics' | 'system'; value: Series }
  | { field: 'text'; value: TextSeries }
  | { field: 'params'; key: string; value: NonNullable<RunBatch['params']>[string] }
  | { field: 'tags'; op: 'add' | 'remove'; tag: string }
  | { field: 'context'; key: string; value: unknown }
  | { field: 'inputs' | 'outputs'; value: Asset }
  | { field: 'media'; value: NonNullable<RunBatch['media']>[number] };

function partsOf(batch: RunBatch): Part[] {
  const parts: Part[] = [];
  for (const value of batch.metrics ?? []) parts.push({ field: 'metrics', value });
  for (const value of batch.system ?? []) parts.push({ field: 'system', value });
  for (const value of batch.text ?? []) parts.push({ field: 'text', value });
  for (const [key, value] of Object.entries(batch.params ?? {})) parts.push({ field: 'params', key, value });
  for (const tag of batch.tags?.add ?? []) parts.push({ field: 'tags', op: 'add', tag });
  for (const tag of batch.tags?.remove ?? []) parts.push({ field: 'tags', op: 'remove', tag });
  for (const [key, value] of Object.entries(batch.context ?? {})) parts.push({ field: 'context', key, value });
  for (const value of batch.inputs ?? []) parts.push({ field: 'inputs', value });
  for (const value of batch.outputs ?? []) parts.push({ field: 'outputs', value });
  for (const value of batch.media ?? []) parts.push({ field: 'media', value });
  return parts;
}

function batchOf(streamId: string, seq: number, parts: Part[]): RunBatch {
  const batch: RunBatch = { streamId, seq };
  for (const part of parts) {
    switch (part.field) {
      case 'metrics':
      case 'system':
        (batch[part.field] ??= []).push(part.value);
        break;
      case 'text':
        (batch.text ??= []).push(part.value);
        break;
      case 'params':
        (batch.params ??= {})[part.key] = part.value;
        break;
      case 'tags':
        ((batch.tags ??= {})[part.op] ??= []).push(part.tag);
        break;
      case 'context':
        (batch.context ??= {} as NonNullable<RunBatch['context']>)[part.key as keyof RunBatch['context']] = part.value as never;
        break;
      case 'inputs':
      case 'outputs':
        (batch[part.field] ??= []).push(part.value);
        break;
      case 'media':
        (batch.media ??= []).push(part.value);
    }
  }
  return batch;
}

function halveSeries<S extends { steps: number[]; times: number[] }>(series: S, columns: Array<keyof S>): [S, S] {
  const middle = Math.ceil(series.steps.length / 2);
  const half = (from: number, to?: number) => {
    const copy = { ...series };
    for (const column of ['steps', 'times', ...columns] as Array<keyof S>)
      copy[column] = (series[column] as unknown[]).slice(from, to) as S[keyof S];
    return copy;
  };
  return [half(0, middle), half(middle)];
}

/**
 * Halves a batch by its parts (or, for one series, by its points), so a batch
 * the server refused can be bisected down to the values it refuses. Returns
 * null when the batch is a single value that cannot be split further.
 */
export function splitBatch(batch: RunBatch): [RunBatch, RunBatch] | null {
  const parts = partsOf(batch);
  if (parts.length > 1) {
    const middle = Math.ceil(parts.length / 2);
    return [batchOf(batch.streamId, batch.seq, parts.slice(0, middle)), batchOf(batch.streamId, batch.seq, parts.slice(middle))];
  }
  const only = parts[0];
  if (!only) return null;
  if ((only.field === 'metrics' || only.field === 'system') && only.value.steps.length > 1) {
    const [a, b] = halveSeries(only.value, ['values']);
    return [batchOf(batch.streamId, batch.seq, [{ ...only, value: a }]), batchOf(batch.streamId, batch.seq, [{ ...only, value: b }])];
  }
  if (only.field === 'text' && only.value.steps.length > 1) {
    const [a, b] = halveSeries(only.value, ['lines']);
    return [batchOf(batch.streamId, batch.seq, [{ ...only, value: a }]), batchOf(batch.streamId, batch.seq, [{ ...only, value: b }])];
  }
  return null;
}

/** The key users know a batch's content by: `metrics.loss@7`, `params.optimizer.lr`, `tags`, `inputs.mnist`. */
export function describeBatch(batch: RunBatch): string {
  const parts = partsOf(batch);
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (!only) return `batch ${batch.seq} (${parts.length} parts)`;
  switch (only.field) {
    case 'metrics':
    case 'system':
    case 'text': {
      const steps = only.value.steps;
      const at = steps.length === 1 ? `@${steps[0]}` : `@${steps[0]}..${steps[steps.length - 1]}`;
      return `${only.field}.${only.value.name}${at}`;
    }
    case 'params':
    case 'context':
      return `${only.field}.${only.key}`;
    case 'tags':
      return `tags.${only.op}.${only.tag}`;
    case 'inputs':
    case 'outputs':
      return `${only.field}.${only.value.name}`;
    case 'media':
      return `media.${only.value.key}@${only.value.step}`;
  }
}
