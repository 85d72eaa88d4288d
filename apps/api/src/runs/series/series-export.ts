import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { RequestContext } from '../../common/context/request-context';
import { notFound } from '../../common/errors/app-error';
import { SeriesRepository } from './series.repository';
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
    const segments = await this.series.segmentsInRange(ctx, series.id, 0, Number.MAX_SAFE_INTEGER);
    response.status(200);
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="${encodeURIComponent(name)}.csv"`);
    response.write('step,value,time\n');
    // Segments come in step order; a group is cut only where no later segment
    // overlaps it, so sorting each group on its own yields a sorted whole.
    let group: string[] = [];
    let groupEnd = -Infinity;
    const flush = async () => {
      const raw = mergeRaw(await this.series.points(ctx, group), -Infinity, Infinity);
      let text = '';
      for (let j = 0; j < raw.steps.length; j++) text += `${raw.steps[j]},${raw.values[j]},${new Date(raw.times[j]!).toISOString()}\n`;
      if (!response.write(text)) await new Promise((resolve) => response.once('drain', resolve));
      group = [];
    };
    for (const segment of segments) {
      if (segment.firstStep > groupEnd && group.length >= SEGMENTS_PER_READ) await flush();
      group.push(segment.id);
      groupEnd = Math.max(groupEnd, segment.lastStep);
    }
    if (group.length) await flush();
    response.end();
  }
}
