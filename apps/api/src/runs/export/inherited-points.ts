import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { ForkSeries, type StitchedSeries } from '../series/fork-series';
import { SeriesExport } from '../series/series-export';

/** Points out per group: bounds what one stitched series holds in memory. */
const POINTS_PER_GROUP = 16 * 1024;

export interface InheritedGroup {
  steps: number[];
  times: number[];
  /** Numeric series. */
  values: number[];
  /** Text series. */
  lines: string[];
}

type Part = { steps: number[]; times: number[]; values?: number[]; lines?: string[] };

/** Reads one part (a series in step order, a group at a time) up to and including step `to`. */
class Cursor {
  private group: Part | null = null;
  private i = 0;
  private ended = false;
  constructor(
    private readonly groups: AsyncGenerator<Part>,
    private readonly to: number,
  ) {}

  /** The step of the next point, or null at the end (or past `to`). */
  async step(): Promise<number | null> {
    while (!this.ended && (!this.group || this.i >= this.group.steps.length)) {
      const next = await this.groups.next();
      if (next.done) this.ended = true;
      else [this.group, this.i] = [next.value, 0];
    }
    if (this.ended) return null;
    const step = this.group!.steps[this.i]!;
    return step <= this.to ? step : null;
  }

  /** Takes every point at `step` (the cursor is at it), handing each to `take` when given. */
  async skip(step: number, take?: (part: Part, i: number) => void): Promise<void> {
    while ((await this.step()) === step) {
      take?.(this.group!, this.i);
      this.i++;
    }
  }

  async close(): Promise<void> {
    await this.groups.return(undefined);
  }
}

/**
 * The points a fork shows from its ancestors, as series reads stitch them (docs/forks.md): each ancestor's points up
 * to the step it is inherited through, at a step only from the nearest part that has one, and never at a step the run
 * logged itself. The parts are merged as streams in step order, so memory holds a group per part, not the series.
 */
@Injectable()
export class InheritedPoints {
  constructor(
    private readonly forks: ForkSeries,
    private readonly points: SeriesExport,
  ) {}

  /** The run's stitched series of `kind` that an ancestor (one the caller may read) contributes to. */
  async series(ctx: RequestContext, runId: string, kind: 'metric' | 'system' | 'text'): Promise<StitchedSeries[]> {
    return (await this.forks.find(ctx, [runId], kind, null)).filter((s) => s.inheritedThrough !== undefined);
  }

  async *groups(ctx: RequestContext, series: StitchedSeries, kind: 'metric' | 'system' | 'text'): AsyncGenerator<InheritedGroup> {
    const read = (id: string): AsyncGenerator<Part> =>
      kind === 'text' ? this.points.textGroups(ctx, id) : this.points.pointGroups(ctx, id);
    const cursors = series.parts.map((p) => new Cursor(read(p.seriesId), p.to));
    // The run's own part, when it has one, comes first and is never written: it only hides the steps it holds. Without
    // one, the series is named after its nearest ancestor's (fork-series.ts).
    const first = series.key === `${series.parts[0]!.seriesId}@${series.runId}` ? 0 : 1;
    let out: InheritedGroup = { steps: [], times: [], values: [], lines: [] };
    const take = (part: Part, i: number) => {
      out.steps.push(part.steps[i]!);
      out.times.push(part.times[i]!);
      if (part.values) out.values.push(part.values[i]!);
      if (part.lines) out.lines.push(part.lines[i]!);
    };
    try {
      for (;;) {
        const steps: Array<number | null> = [];
        for (const c of cursors) steps.push(await c.step());
        let step: number | null = null;
        for (const s of steps) if (s !== null && (step === null || s < step)) step = s;
        if (step === null) break;
        const winner = steps.indexOf(step);
        for (let k = 0; k < cursors.length; k++)
          if (steps[k] === step) await cursors[k]!.skip(step, k === winner && k >= first ? take : undefined);
        if (out.steps.length >= POINTS_PER_GROUP) {
          yield out;
          out = { steps: [], times: [], values: [], lines: [] };
        }
      }
      if (out.steps.length) yield out;
    } finally {
      for (const c of cursors) await c.close();
    }
  }
}
