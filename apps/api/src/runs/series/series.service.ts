import { Injectable } from '@nestjs/common';
import { toWireFloat, type SeriesData, type SeriesKind } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { ForkSeries, partReads, stitchAll, type StitchedSeries } from './fork-series';
import { SeriesRepository } from './series.repository';
import { SeriesReader, type NumericPoints } from './series-reader';

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
  constructor(
    private readonly series: SeriesRepository,
    private readonly reader: SeriesReader,
    private readonly forks: ForkSeries,
  ) {}

  /**
   * At most `maxPoints` points per series. When the range holds more, points
   * are bucketed by step; wide buckets are filled from the 64-point sketches
   * rather than the points themselves, which keeps long series cheap to read.
   * Numeric series are read together (a few statements for all of them).
   */
  async read(ctx: RequestContext, query: SeriesQuery): Promise<SeriesData[]> {
    const found = await this.forks.find(ctx, query.runIds, query.kind, query.names);
    const numeric = found.filter((s) => s.kind !== 'text');
    const read = await this.reader.read(
      ctx,
      partReads(numeric, () => query.from),
      query.to,
      query.maxPoints,
    );
    const points = new Map(stitchAll(numeric, read, query.maxPoints).map((p, i) => [numeric[i]!, p]));
    const result: SeriesData[] = [];
    for (const s of found) {
      result.push(s.kind === 'text' ? await this.readText(ctx, s, query) : toSeriesData(s, points.get(s)!));
    }
    return result;
  }

  /** Text lines of the series and, for a fork, of its ancestors' up to the step each is inherited through. */
  private async readText(ctx: RequestContext, s: StitchedSeries, query: SeriesQuery): Promise<SeriesData> {
    const lines: Array<{ step: number; time: number; line: string }> = [];
    for (const part of s.parts) {
      const to = Math.min(query.to, part.to);
      if (to >= query.from) lines.push(...(await this.series.textLines(ctx, part.seriesId, query.from, to, query.search, query.maxPoints)));
    }
    // Stable: at equal steps the run's own lines come first; the limit applies to the stitched whole.
    lines.sort((a, b) => a.step - b.step);
    lines.length = Math.min(lines.length, query.maxPoints);
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
      ...(s.inheritedThrough !== undefined ? { inheritedThrough: s.inheritedThrough } : {}),
    };
  }
}

function toSeriesData(s: StitchedSeries, p: NumericPoints): SeriesData {
  return {
    runId: s.runId,
    name: s.name,
    kind: s.kind,
    totalPoints: s.count,
    steps: p.steps,
    values: p.values.map(toWireFloat),
    times: p.times,
    ...(p.downsampled ? { min: p.min!.map(toWireFloat), max: p.max!.map(toWireFloat) } : {}),
    downsampled: p.downsampled,
    ...(s.inheritedThrough !== undefined ? { inheritedThrough: s.inheritedThrough } : {}),
  };
}
