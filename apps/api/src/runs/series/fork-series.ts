import { Injectable } from '@nestjs/common';
import type { SeriesKind } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { ForkAccess } from '../fork-access';
import { Buckets } from './downsample';
import { SeriesRepository, type SeriesRef } from './series.repository';
import type { NumericPoints, NumericRead } from './series-reader';

/**
 * A series as a run shows it: its own points and, for a fork, those of its
 * ancestors' series of the same kind and name up to the step each is inherited
 * through. `parts` are in priority order (the run's own first): at a step two
 * parts both hold, the earlier part's point is shown.
 */
export interface StitchedSeries extends SeriesRef {
  parts: Array<{ seriesId: string; to: number }>;
  /** Names the series in query cursors: its own id, or when an ancestor contributes `<nearest ancestor's series id>@<run>`. */
  key: string;
  /** The fork step of the run's parent when an ancestor contributes to this series. */
  inheritedThrough?: number;
}

@Injectable()
export class ForkSeries {
  constructor(
    private readonly forks: ForkAccess,
    private readonly series: SeriesRepository,
  ) {}

  /** Names of the series `runIds` show (their own and, for forks, their ancestors'), sorted. */
  async names(ctx: RequestContext, runIds: string[], kind: SeriesKind): Promise<string[]> {
    const chains = await this.forks.chains(ctx, runIds);
    const ancestors = [...chains.values()].flatMap((c) => c.map((a) => a.runId));
    return this.series.seriesNames(ctx, [...new Set([...runIds, ...ancestors])], kind);
  }

  /** The series of `runIds` (ordered by run then name), each fork's stitched with its ancestors'. */
  async find(ctx: RequestContext, runIds: string[], kind: SeriesKind, names: string[] | null): Promise<StitchedSeries[]> {
    const chains = await this.forks.chains(ctx, runIds);
    const ancestors = [...chains.values()].flatMap((c) => c.map((a) => a.runId));
    const found = await this.series.findSeries(ctx, [...new Set([...runIds, ...ancestors])], kind, names);
    const byRun = new Map<string, Map<string, SeriesRef>>();
    for (const s of found) {
      const named = byRun.get(s.runId) ?? new Map<string, SeriesRef>();
      named.set(s.name, s);
      byRun.set(s.runId, named);
    }
    const result: StitchedSeries[] = [];
    for (const runId of [...new Set(runIds)].sort()) {
      const chain = chains.get(runId) ?? [];
      const own = byRun.get(runId) ?? new Map<string, SeriesRef>();
      const allNames = new Set([...own.keys(), ...chain.flatMap((a) => [...(byRun.get(a.runId)?.keys() ?? [])])]);
      for (const name of [...allNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        const mine = own.get(name);
        const parts = mine ? [{ seriesId: mine.id, to: Number.MAX_SAFE_INTEGER }] : [];
        let inheritedCount = 0;
        for (const a of chain) {
          const s = byRun.get(a.runId)?.get(name);
          if (!s) continue;
          parts.push({ seriesId: s.id, to: a.through });
          inheritedCount += s.count;
        }
        const first = mine ?? found.find((s) => s.id === parts[0]!.seriesId)!;
        result.push({
          ...first,
          runId,
          count: (mine?.count ?? 0) + inheritedCount,
          // Without points of its own, a fork's last point is known only after the read.
          lastStep: mine ? mine.lastStep : null,
          lastValue: mine ? mine.lastValue : null,
          parts,
          // Stable while the fork logs its own points (they do not change which ancestor series it names).
          key: parts.length > (mine ? 1 : 0) ? `${parts[mine ? 1 : 0]!.seriesId}@${runId}` : mine!.id,
          ...(parts.length > (mine ? 1 : 0) ? { inheritedThrough: chain[0]!.through } : {}),
        });
      }
    }
    return result;
  }
}

/** The reads of stitched series for SeriesReader, one per part, with the index range of each series' parts. */
export function partReads(series: StitchedSeries[], from: (s: StitchedSeries) => number): NumericRead[] {
  return series.flatMap((s) => s.parts.map((p) => ({ seriesId: p.seriesId, from: from(s), to: p.to })));
}

/**
 * One series' points from its parts' reads (priority order): at a step an earlier part holds, later parts'
 * points are dropped; the rest in step order. Over `maxPoints`, re-bucketed so the bound holds.
 */
export function stitch(parts: NumericPoints[], maxPoints: number): NumericPoints {
  if (parts.length === 1) return parts[0]!;
  const taken = new Set<number>();
  const points: Array<{ step: number; value: number; time: number; min: number; max: number; order: number }> = [];
  let downsampled = false;
  for (const p of parts) {
    downsampled ||= p.downsampled;
    const mine = new Set<number>();
    for (let i = 0; i < p.steps.length; i++) {
      const step = p.steps[i]!;
      if (taken.has(step)) continue;
      mine.add(step);
      const value = p.values[i]!;
      points.push({ step, value, time: p.times[i]!, min: p.min?.[i] ?? value, max: p.max?.[i] ?? value, order: points.length });
    }
    for (const step of mine) taken.add(step);
  }
  points.sort((a, b) => a.step - b.step || a.order - b.order);
  if (points.length > maxPoints) {
    const buckets = new Buckets(points[0]!.step, points[points.length - 1]!.step, maxPoints);
    for (const p of points) buckets.add(p.step, p.value, p.time, p.min, p.max);
    return { ...buckets.result(), downsampled: true };
  }
  const out: NumericPoints = {
    steps: points.map((p) => p.step),
    values: points.map((p) => p.value),
    times: points.map((p) => p.time),
    downsampled,
  };
  if (downsampled) {
    out.min = points.map((p) => p.min);
    out.max = points.map((p) => p.max);
  }
  return out;
}

/** Splits the reader's answer (one entry per part read) back into one stitched result per series. */
export function stitchAll(series: StitchedSeries[], read: NumericPoints[], maxPoints: number): NumericPoints[] {
  let offset = 0;
  return series.map((s) => {
    const parts = read.slice(offset, offset + s.parts.length);
    offset += s.parts.length;
    return stitch(parts, maxPoints);
  });
}
