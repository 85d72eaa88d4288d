import { REALTIME_LIMITS, type PointsEvent } from '@trackbase/contracts';
import type { PointsCommitted } from '../runs/run-events';

/**
 * What subscribers get of a committed batch: its series, each trimmed to the
 * newest points a subscriber could take in one flush anyway.
 */
export function toPointsEvent({ runId, batch }: PointsCommitted): PointsEvent | null {
  const cap = REALTIME_LIMITS.pointsPerSeriesPerFlush;
  let coalesced = false;
  const series: PointsEvent['series'] = [];
  const take = <T>(a: T[]) => {
    if (a.length <= cap) return a;
    coalesced = true;
    return a.slice(a.length - cap);
  };
  for (const [kind, list] of [
    ['metric', batch.metrics],
    ['system', batch.system],
  ] as const) {
    for (const s of list ?? []) series.push({ kind, name: s.name, steps: take(s.steps), values: take(s.values), times: take(s.times) });
  }
  for (const s of batch.text ?? [])
    series.push({ kind: 'text', name: s.name, steps: take(s.steps), values: [], times: take(s.times), lines: take(s.lines) });
  return series.length ? { runId, series, coalesced } : null;
}
