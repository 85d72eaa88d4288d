import { fromWireFloat, LIMITS, type RunBatch, type SeriesKind } from '@trackbase/contracts';
import { packSegment, type PackedSegment } from '../series/packing';
import { batchTooLarge, seriesLengthMismatch } from '../runs.errors';

export interface PreparedNumeric {
  kind: Exclude<SeriesKind, 'text'>;
  name: string;
  segment: PackedSegment;
}

export interface PreparedText {
  name: string;
  firstStep: number;
  lastStep: number;
  steps: number[];
  times: number[];
  lines: string[];
}

/** What a series' summary row takes from one batch's points of it. */
export interface SeriesSummary {
  kind: string;
  name: string;
  count: number;
  lastStep: number | null;
  lastValue: number | null;
  lastTime: number | null;
  min: number | null;
  max: number | null;
}

export function numericSummary(s: PreparedNumeric): SeriesSummary {
  const seg = s.segment;
  return {
    kind: s.kind,
    name: s.name,
    count: seg.count,
    lastStep: seg.lastStep,
    lastValue: seg.lastValue,
    lastTime: seg.lastTime,
    min: seg.min,
    max: seg.max,
  };
}

export function textSummary(s: PreparedText): SeriesSummary {
  return {
    kind: 'text',
    name: s.name,
    count: s.steps.length,
    lastStep: s.lastStep,
    lastValue: null,
    lastTime: s.times.at(-1) ?? null,
    min: null,
    max: null,
  };
}

export interface PreparedBatch {
  numeric: PreparedNumeric[];
  text: PreparedText[];
  points: number;
}

/**
 * Checks a batch against the limits and turns its columnar series into packed
 * segments. Throws before anything is written, so a rejected batch leaves no
 * trace. Several entries for one series in a batch are merged.
 */
export function prepareBatch(batch: RunBatch): PreparedBatch {
  const seriesCount = (batch.metrics?.length ?? 0) + (batch.system?.length ?? 0) + (batch.text?.length ?? 0);
  if (seriesCount > LIMITS.seriesPerBatch)
    throw batchTooLarge(`a batch may carry at most ${LIMITS.seriesPerBatch} series, this one has ${seriesCount}`);

  let points = 0;
  const numeric = new Map<string, { kind: PreparedNumeric['kind']; name: string; steps: number[]; values: number[]; times: number[] }>();
  for (const [kind, list] of [
    ['metric', batch.metrics ?? []],
    ['system', batch.system ?? []],
  ] as const) {
    list.forEach((s, i) => {
      const path = `${kind === 'metric' ? 'metrics' : 'system'}.${i}`;
      if (s.values.length !== s.steps.length || s.times.length !== s.steps.length) {
        throw seriesLengthMismatch(
          path,
          `series "${s.name}": steps, values and times must have the same length (${s.steps.length}, ${s.values.length}, ${s.times.length})`,
        );
      }
      points += s.steps.length;
      if (!s.steps.length) return;
      const key = `${kind}\u0000${s.name}`;
      const entry = numeric.get(key) ?? { kind, name: s.name, steps: [], values: [], times: [] };
      for (let j = 0; j < s.steps.length; j++) {
        entry.steps.push(s.steps[j]!);
        entry.values.push(fromWireFloat(s.values[j]!));
        entry.times.push(s.times[j]!);
      }
      numeric.set(key, entry);
    });
  }
  const text = new Map<string, PreparedText>();
  (batch.text ?? []).forEach((s, i) => {
    if (s.lines.length !== s.steps.length || s.times.length !== s.steps.length) {
      throw seriesLengthMismatch(`text.${i}`, `text series "${s.name}": steps, lines and times must have the same length`);
    }
    points += s.steps.length;
    if (!s.steps.length) return;
    const entry = text.get(s.name) ?? { name: s.name, firstStep: Infinity, lastStep: -Infinity, steps: [], times: [], lines: [] };
    s.steps.forEach((step, j) => {
      entry.steps.push(step);
      entry.times.push(s.times[j]!);
      // PostgreSQL text cannot hold NUL; keep the line, mark the character.
      entry.lines.push(s.lines[j]!.replaceAll('\u0000', '\uFFFD'));
      if (step < entry.firstStep) entry.firstStep = step;
      if (step > entry.lastStep) entry.lastStep = step;
    });
    text.set(s.name, entry);
  });
  if (points > LIMITS.pointsPerBatch)
    throw batchTooLarge(`a batch may carry at most ${LIMITS.pointsPerBatch} points, this one has ${points}`);

  const prepared = [...numeric.values()]
    .map((s) => ({ kind: s.kind, name: s.name, segment: packSegment(s.steps, s.values, s.times) }))
    // One order for every batch, so concurrent batches lock series rows in the same order.
    .sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind < b.kind ? -1 : 1));
  return { numeric: prepared, text: [...text.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), points };
}
