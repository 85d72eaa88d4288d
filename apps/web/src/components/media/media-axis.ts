import type { MediaKeys } from '@trackbase/contracts';

/**
 * The media slider's x axis: the step, the wall time of the items, the time
 * since a run's first item, or any logged metric (an epoch). On another axis
 * than the step, each run has its own step at the slider's value: its latest
 * media step whose x is at or before it.
 */
export type MediaAxis = { kind: 'step' } | { kind: 'time' } | { kind: 'relative' } | { kind: 'metric'; name: string };

export const axisValue = (axis: MediaAxis) => (axis.kind === 'metric' ? `metric:${axis.name}` : axis.kind);
export function parseAxis(value: string): MediaAxis {
  if (value.startsWith('metric:')) return { kind: 'metric', name: value.slice('metric:'.length) };
  return value === 'time' || value === 'relative' ? { kind: value } : { kind: 'step' };
}

/** A run's media steps (histograms aside: they are drawn over all steps) with the earliest wall time of each. */
export function mediaStepsOf(keys: MediaKeys): Array<{ step: number; time: number }> {
  const byStep = new Map<number, number>();
  for (const k of keys.keys) {
    if (k.type === 'histogram') continue;
    k.steps.forEach((step, i) => {
      const time = k.times[i] ?? Number.POSITIVE_INFINITY;
      byStep.set(step, Math.min(byStep.get(step) ?? Number.POSITIVE_INFINITY, time));
    });
  }
  return [...byStep].map(([step, time]) => ({ step, time })).sort((a, b) => a.step - b.step);
}

/** A metric's points of one run, ascending by step. */
export interface MetricLine {
  steps: number[];
  values: number[];
}

/** The metric's value in force at `step`: the last point at or before it. */
function valueAt(line: MetricLine, step: number): number | undefined {
  let lo = 0;
  let hi = line.steps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (line.steps[mid]! <= step) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const value = found < 0 ? undefined : line.values[found];
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Each media step of a run placed on the axis (steps without a value there, e.g. before the first epoch, are left out). */
export function placeSteps(
  steps: Array<{ step: number; time: number }>,
  axis: MediaAxis,
  metric?: MetricLine,
): Array<{ x: number; step: number }> {
  if (axis.kind === 'step') return steps.map((s) => ({ x: s.step, step: s.step }));
  if (axis.kind === 'time') return steps.filter((s) => Number.isFinite(s.time)).map((s) => ({ x: s.time, step: s.step }));
  if (axis.kind === 'relative') {
    const start = Math.min(...steps.map((s) => s.time));
    return steps.filter((s) => Number.isFinite(s.time)).map((s) => ({ x: (s.time - start) / 1000, step: s.step }));
  }
  if (!metric) return [];
  return steps.flatMap((s) => {
    const x = valueAt(metric, s.step);
    return x === undefined ? [] : [{ x, step: s.step }];
  });
}

/** The slider's positions: every x any run has media at, ascending. */
export function positionsOf(placed: Iterable<Array<{ x: number }>>): number[] {
  const xs = new Set<number>();
  for (const run of placed) for (const p of run) xs.add(p.x);
  return [...xs].sort((a, b) => a - b);
}

/** A run's step at slider value `x`: its latest media step whose x is at or before it; null when none is. */
export function stepAt(placed: Array<{ x: number; step: number }>, x: number): number | null {
  let best: number | null = null;
  for (const p of placed) if (p.x <= x && (best === null || p.step > best)) best = p.step;
  return best;
}

export function formatX(axis: MediaAxis, x: number): string {
  if (axis.kind === 'time')
    return new Date(x)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
  if (axis.kind === 'relative') return `${Number(x.toFixed(1))} s`;
  return String(Number.isInteger(x) ? x : Number(x.toPrecision(6)));
}
