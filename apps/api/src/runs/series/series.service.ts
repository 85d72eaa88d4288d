import { Injectable } from '@nestjs/common';
import { toWireFloat, type SeriesData, type SeriesKind } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { downsamplePoints, downsampleSketches, shouldUseSketches, type StoredSegment } from './downsample';
import { SeriesRepository, type SegmentMeta, type SeriesRef } from './series.repository';

export interface SeriesQuery {
  runIds: string[];
  names: string[] | null;
  kind: SeriesKind;
  from: number;
  to: number;
  maxPoints: number;
  search: string | null;
}

@Injectable()
export class SeriesService {
  constructor(private readonly series: SeriesRepository) {}

  async read(ctx: RequestContext, query: SeriesQuery): Promise<SeriesData[]> {
    const found = await this.series.findSeries(ctx, query.runIds, query.kind, query.names);
    const result: SeriesData[] = [];
    for (const s of found) {
      result.push(s.kind === 'text' ? await this.readText(ctx, s, query) : await this.readNumeric(ctx, s, query));
    }
    return result;
  }

  /**
   * At most `maxPoints` points per series. When the range holds more, points
   * are bucketed by step; wide buckets are filled from the 64-point sketches
   * rather than the points themselves, which keeps long series cheap to read.
   */
  private async readNumeric(ctx: RequestContext, s: SeriesRef, query: SeriesQuery): Promise<SeriesData> {
    const segments = await this.series.segmentsInRange(ctx, s.id, query.from, query.to);
    const inRange = estimatePointsInRange(segments, query.from, query.to);
    const base = { runId: s.runId, name: s.name, kind: s.kind, totalPoints: s.count };
    if (!segments.length) return { ...base, steps: [], values: [], times: [], downsampled: false };
    const from = Math.max(query.from, segments[0]!.firstStep);
    const to = Math.min(query.to, Math.max(...segments.map((seg) => seg.lastStep)));
    const ids = segments.map((seg) => seg.id);

    if (inRange > query.maxPoints && shouldUseSketches(inRange, query.maxPoints)) {
      const d = downsampleSketches(await this.series.sketches(ctx, ids), from, to, query.maxPoints);
      return { ...base, ...wireArrays(d), downsampled: true };
    }
    const points = await this.series.points(ctx, ids);
    if (countInRange(points, from, to) > query.maxPoints) {
      const d = downsamplePoints(points, from, to, query.maxPoints);
      return { ...base, ...wireArrays(d), downsampled: true };
    }
    const raw = mergeRaw(points, from, to);
    return { ...base, steps: raw.steps, values: raw.values.map(toWireFloat), times: raw.times, downsampled: false };
  }

  private async readText(ctx: RequestContext, s: SeriesRef, query: SeriesQuery): Promise<SeriesData> {
    const lines = await this.series.textLines(ctx, s.id, query.from, query.to, query.search, query.maxPoints);
    return {
      runId: s.runId,
      name: s.name,
      kind: s.kind,
      steps: lines.map((l) => l.step),
      values: [],
      times: lines.map((l) => l.time),
      lines: lines.map((l) => l.line),
      downsampled: false,
      totalPoints: s.count,
    };
  }
}

function wireArrays(d: { steps: number[]; values: number[]; times: number[]; min: number[]; max: number[] }) {
  return { steps: d.steps, values: d.values.map(toWireFloat), times: d.times, min: d.min.map(toWireFloat), max: d.max.map(toWireFloat) };
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

/** All points of the segments within [from, to], in step order. */
export function mergeRaw(segments: StoredSegment[], from: number, to: number) {
  const points: Array<[number, number, number]> = [];
  for (const seg of segments) {
    for (let i = 0; i < seg.steps.length; i++) {
      const step = seg.steps[i]!;
      if (step >= from && step <= to) points.push([step, seg.values[i]!, seg.times[i]!]);
    }
  }
  points.sort((a, b) => a[0] - b[0]);
  return { steps: points.map((p) => p[0]), values: points.map((p) => p[1]), times: points.map((p) => p[2]) };
}
