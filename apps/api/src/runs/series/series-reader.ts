import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { downsamplePoints, downsampleSketches, shouldUseSketches, type StoredSegment } from './downsample';
import { SeriesRepository, type SegmentMeta } from './series.repository';

/** Points of one numeric series for display: raw, or per bucket the last point plus the bucket's extremes. */
export interface NumericPoints {
  steps: number[];
  values: number[];
  times: number[];
  min?: number[];
  max?: number[];
  downsampled: boolean;
}

export interface NumericRead {
  seriesId: string;
  /** First step to read (a cursor moves it past what the client has). */
  from: number;
  /** Last step to read when below the query's (a fork reads its parent only up to the fork step). */
  to?: number;
}

/** Series read per round: bounds the bytes held at once whatever the query asks for. */
const SERIES_PER_ROUND = 250;

const EMPTY: NumericPoints = { steps: [], values: [], times: [], downsampled: false };

/**
 * Reads many numeric series in a few statements: one for the segments of every
 * series in a round, one for the sketches of those read downsampled from
 * sketches, one for the points of the rest. A series whose range holds more
 * than `maxPoints` points is bucketed by step (extremes kept).
 */
@Injectable()
export class SeriesReader {
  constructor(private readonly series: SeriesRepository) {}

  /** Points of each read, in the order of `reads` (one series may be read more than once, with different ranges). */
  async read(ctx: RequestContext, reads: NumericRead[], to: number, maxPoints: number): Promise<NumericPoints[]> {
    const result: NumericPoints[] = [];
    for (let i = 0; i < reads.length; i += SERIES_PER_ROUND) {
      const round = reads.slice(i, i + SERIES_PER_ROUND).map((r) => ({ ...r, to: Math.min(to, r.to ?? to) }));
      const wanted = round.map((r, j) => j).filter((j) => round[j]!.from <= round[j]!.to);
      const segments = wanted.length
        ? await this.series.segmentsOfMany(
            ctx,
            wanted.map((j) => round[j]!.seriesId),
            wanted.map((j) => round[j]!.from),
            wanted.map((j) => round[j]!.to),
          )
        : [];
      const byRead = new Map<number, SegmentMeta[]>();
      for (const s of segments) {
        const j = wanted[s.read!]!;
        const list = byRead.get(j);
        if (list) list.push(s);
        else byRead.set(j, [s]);
      }
      const plans = new Map<number, ReadPlan>();
      for (const j of wanted) {
        const r = round[j]!;
        const plan = planRead(byRead.get(j) ?? [], r.from, r.to, maxPoints);
        if (plan) plans.set(j, plan);
      }
      const ids = (source: ReadPlan['source']) => [
        ...new Set([...plans.values()].filter((p) => p.source === source).flatMap((p) => p.segmentIds)),
      ];
      const sketchIds = ids('sketches');
      const pointIds = ids('points');
      const [sketches, points] = await Promise.all([
        sketchIds.length ? this.series.sketchesBySeries(ctx, sketchIds) : new Map(),
        pointIds.length ? this.series.pointsBySeries(ctx, pointIds) : new Map(),
      ]);
      round.forEach((r, j) => {
        const plan = plans.get(j);
        if (!plan) result.push(EMPTY);
        else if (plan.source === 'sketches') {
          const d = downsampleSketches(sketches.get(r.seriesId) ?? [], plan.from, plan.to, maxPoints);
          result.push({ ...d, downsampled: true });
        } else {
          result.push(fromPoints(points.get(r.seriesId) ?? [], plan.from, plan.to, maxPoints));
        }
      });
    }
    return result;
  }
}

export interface ReadPlan {
  from: number;
  to: number;
  segmentIds: string[];
  source: 'sketches' | 'points';
}

/** Which segments to read and whether their sketches suffice; null when the range holds no segment. */
export function planRead(segments: SegmentMeta[], from: number, to: number, maxPoints: number): ReadPlan | null {
  if (!segments.length) return null;
  const inRange = estimatePointsInRange(segments, from, to);
  let first = Infinity;
  let last = -Infinity;
  for (const s of segments) {
    if (s.firstStep < first) first = s.firstStep;
    if (s.lastStep > last) last = s.lastStep;
  }
  return {
    from: Math.max(from, first),
    to: Math.min(to, last),
    segmentIds: segments.map((s) => s.id),
    source: inRange > maxPoints && shouldUseSketches(inRange, maxPoints) ? 'sketches' : 'points',
  };
}

/** Raw points in [from, to], or buckets when there are more than `maxPoints` of them. */
export function fromPoints(segments: StoredSegment[], from: number, to: number, maxPoints: number): NumericPoints {
  if (countInRange(segments, from, to) > maxPoints) return { ...downsamplePoints(segments, from, to, maxPoints), downsampled: true };
  return { ...mergeRaw(segments, from, to), downsampled: false };
}

/** Segments partly inside the range count in proportion to the part of their step span inside it. */
export function estimatePointsInRange(segments: SegmentMeta[], from: number, to: number): number {
  let total = 0;
  for (const s of segments) {
    const span = s.lastStep - s.firstStep;
    const inside = Math.min(s.lastStep, to) - Math.max(s.firstStep, from);
    total += span <= 0 ? s.count : Math.max(1, Math.round((s.count * (inside + 1)) / (span + 1)));
  }
  return total;
}

function countInRange(segments: StoredSegment[], from: number, to: number): number {
  let n = 0;
  for (const s of segments) for (let i = 0; i < s.steps.length; i++) if (s.steps[i]! >= from && s.steps[i]! <= to) n++;
  return n;
}

/**
 * All points of the segments within [from, to], in step order. Segments in
 * step order that do not overlap (the usual case) are concatenated; otherwise
 * the points are sorted by step (stable, so equal steps keep segment order,
 * which is arrival order: see SeriesRepository.pointsBySeries).
 */
export function mergeRaw(segments: StoredSegment[], from: number, to: number) {
  const steps: number[] = [];
  const values: number[] = [];
  const times: number[] = [];
  let sorted = true;
  let previous = -Infinity;
  for (const seg of segments) {
    for (let i = 0; i < seg.steps.length; i++) {
      const step = seg.steps[i]!;
      if (step < from || step > to) continue;
      if (step < previous) sorted = false;
      previous = step;
      steps.push(step);
      values.push(seg.values[i]!);
      times.push(seg.times[i]!);
    }
  }
  if (sorted) return { steps, values, times };
  const order = Array.from(steps.keys()).sort((a, b) => steps[a]! - steps[b]! || a - b);
  return { steps: order.map((i) => steps[i]!), values: order.map((i) => values[i]!), times: order.map((i) => times[i]!) };
}
