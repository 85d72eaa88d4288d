import { Injectable } from '@nestjs/common';
import { toWireFloat, type SeriesData, type SeriesKind } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { SeriesRepository, type SeriesRef } from './series.repository';
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
  ) {}

  /**
   * At most `maxPoints` points per series. When the range holds more, points
   * are bucketed by step; wide buckets are filled from the 64-point sketches
   * rather than the points themselves, which keeps long series cheap to read.
   * Numeric series are read together (a few statements for all of them).
   */
  async read(ctx: RequestContext, query: SeriesQuery): Promise<SeriesData[]> {
    const found = await this.series.findSeries(ctx, query.runIds, query.kind, query.names);
    const numeric = found.filter((s) => s.kind !== 'text');
    const points = await this.reader.read(
      ctx,
      numeric.map((s) => ({ seriesId: s.id, from: query.from })),
      query.to,
      query.maxPoints,
    );
    const result: SeriesData[] = [];
    for (const s of found) {
      result.push(s.kind === 'text' ? await this.readText(ctx, s, query) : toSeriesData(s, points.get(s.id)!));
    }
    return result;
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

function toSeriesData(s: SeriesRef, p: NumericPoints): SeriesData {
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
  };
}
