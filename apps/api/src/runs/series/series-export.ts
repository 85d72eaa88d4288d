import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { RequestContext } from '../../common/context/request-context';
import { notFound } from '../../common/errors/app-error';
import { SeriesRepository, type SegmentMeta } from './series.repository';
import { mergeRaw } from './series-reader';

/** Segments fetched per round trip while streaming a CSV: bounds memory for any series length. */
const SEGMENTS_PER_READ = 50;

@Injectable()
export class SeriesExport {
  constructor(private readonly series: SeriesRepository) {}

  /** Streams every point of one series as `step,value,time` CSV (time in ISO 8601). */
  async csv(ctx: RequestContext, runId: string, kind: 'metric' | 'system', name: string, response: Response): Promise<void> {
    const [series] = await this.series.findSeries(ctx, [runId], kind, [name]);
    if (!series) throw notFound('series');
    response.status(200);
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="${encodeURIComponent(name)}.csv"`);
    response.write('step,value,time\n');
    for await (const raw of this.pointGroups(ctx, series.id)) {
      let text = '';
      for (let j = 0; j < raw.steps.length; j++) text += `${raw.steps[j]},${raw.values[j]},${new Date(raw.times[j]!).toISOString()}\n`;
      if (!response.write(text)) await new Promise((resolve) => response.once('drain', resolve));
    }
    response.end();
  }

  /**
   * Every point of a numeric series in step order, a group of segments at a time (bounded memory for any length).
   * Segments come in step order; a group is cut only where no later segment overlaps it, so sorting each group on
   * its own yields a sorted whole.
   */
  async *pointGroups(ctx: RequestContext, seriesId: string): AsyncGenerator<{ steps: number[]; values: number[]; times: number[] }> {
    const segments = await this.series.segmentsInRange(ctx, seriesId, 0, Number.MAX_SAFE_INTEGER);
    for (const group of groups(segments)) yield mergeRaw(await this.series.points(ctx, group), -Infinity, Infinity);
  }

  /** Every line of a text series in step order (lines of one step in the order they were logged), a group at a time. */
  async *textGroups(ctx: RequestContext, seriesId: string): AsyncGenerator<{ steps: number[]; times: number[]; lines: string[] }> {
    const segments = await this.series.segmentsInRange(ctx, seriesId, 0, Number.MAX_SAFE_INTEGER, 'text_segments');
    for (const group of groups(segments)) {
      const points = (await this.series.textPoints(ctx, group)).flatMap((s) =>
        s.steps.map((step, i) => ({ step, time: s.times[i]!, line: s.lines[i]! })),
      );
      points.sort((a, b) => a.step - b.step); // stable: equal steps keep segment order
      yield { steps: points.map((p) => p.step), times: points.map((p) => p.time), lines: points.map((p) => p.line) };
    }
  }
}

function* groups(segments: SegmentMeta[]): Generator<string[]> {
  let group: string[] = [];
  let groupEnd = -Infinity;
  for (const segment of segments) {
    if (segment.firstStep > groupEnd && group.length >= SEGMENTS_PER_READ) {
      yield group;
      group = [];
    }
    group.push(segment.id);
    groupEnd = Math.max(groupEnd, segment.lastStep);
  }
  if (group.length) yield group;
}
