import { Injectable } from '@nestjs/common';
import {
  RunErrorCode,
  SERIES_QUERY_LIMITS,
  toWireFloat,
  type PackedSeries,
  type SeriesQueryResponse,
  seriesQueryRequestSchema,
} from '@trackbase/contracts';
import type { z } from 'zod';
import type { RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { RunsRepository } from '../runs.repository';
import { decodeCursor, encodeCursor, type SeriesCursor } from './series-cursor';
import { ForkSeries, partReads, stitchAll, type StitchedSeries } from './fork-series';
import { SeriesReader } from './series-reader';

export type SeriesQueryBody = z.output<typeof seriesQueryRequestSchema>;

/**
 * `POST …/series/query`: many series of many runs in a few statements, packed
 * as columns per series; with a cursor, only the points after it.
 */
@Injectable()
export class SeriesQueryService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly forks: ForkSeries,
    private readonly reader: SeriesReader,
  ) {}

  async read(ctx: RequestContext, q: SeriesQueryBody): Promise<SeriesQueryResponse> {
    const previous: SeriesCursor = q.cursor ? decodeCursor(q.cursor, q.kind) : new Map();
    const resolved = await this.runs.resolveWithParams(ctx, q.runs, q.params);
    const byId = new Map([...resolved.values()].map((r) => [r.id, r]));
    const runIds = [...new Set(q.runs.map((ref) => resolved.get(ref)?.id).filter((id): id is string => !!id))];
    const missingRuns = q.runs.filter((ref) => !resolved.has(ref));
    const params = q.params ? { params: runIds.map((id) => byId.get(id)!.params ?? {}) } : {};
    if (!runIds.length)
      return {
        runs: [],
        missingRuns,
        series: [],
        ...(q.namesOnly ? { names: [] } : {}),
        ...params,
        cursor: encodeCursor(q.kind, new Map()),
      };
    if (q.namesOnly) {
      const names = await this.forks.names(ctx, runIds, q.kind);
      return { runs: runIds, missingRuns, series: [], names, ...params, cursor: encodeCursor(q.kind, new Map()) };
    }

    const runIndex = new Map(runIds.map((id, i) => [id, i]));
    const found = (await this.forks.find(ctx, runIds, q.kind, q.names ?? null)).sort(
      (a, b) => runIndex.get(a.runId)! - runIndex.get(b.runId)! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    if (found.length * q.maxPoints > SERIES_QUERY_LIMITS.pointBudget) {
      throw new AppError(
        400,
        RunErrorCode.SeriesQueryTooLarge,
        `${found.length} series × ${q.maxPoints} points exceeds ${SERIES_QUERY_LIMITS.pointBudget.toLocaleString('en-US')}; ask for fewer names per request or fewer points`,
        [{ path: 'names', message: `${found.length} series found` }],
      );
    }
    const from = (s: StitchedSeries) => (previous.has(s.key) ? Math.max(q.from, previous.get(s.key)! + 1) : q.from);
    const read = q.maxPoints ? await this.reader.read(ctx, partReads(found, from), q.to, q.maxPoints) : [];
    const points = new Map(q.maxPoints ? stitchAll(found, read, q.maxPoints).map((p, i) => [found[i]!.key, p]) : []);

    const next: SeriesCursor = new Map();
    const series: PackedSeries[] = [];
    for (const s of found) {
      const p = points.get(s.key);
      const append = previous.has(s.key);
      const lastSent = p?.steps.length ? p.steps[p.steps.length - 1]! : previous.get(s.key);
      if (lastSent !== undefined) next.set(s.key, lastSent);
      // A series the client already has and that has nothing new is left out.
      if (append && !p?.steps.length) continue;
      // A fork without points of its own in this series ends where its inherited points end.
      const inheritedLast = s.lastStep === null && p?.steps.length && !p.downsampled && q.to === Number.MAX_SAFE_INTEGER;
      series.push({
        run: runIndex.get(s.runId)!,
        name: s.name,
        totalPoints: s.count,
        lastStep: inheritedLast ? p.steps[p.steps.length - 1]! : s.lastStep,
        last: inheritedLast ? toWireFloat(p.values[p.values.length - 1]!) : s.lastValue === null ? null : toWireFloat(s.lastValue),
        downsampled: p?.downsampled ?? false,
        append,
        steps: p?.steps ?? [],
        values: (p?.values ?? []).map(toWireFloat),
        ...(q.times ? { times: p?.times ?? [] } : {}),
        ...(p?.downsampled && q.extremes ? { min: p.min!.map(toWireFloat), max: p.max!.map(toWireFloat) } : {}),
        ...(s.inheritedThrough !== undefined ? { inheritedThrough: s.inheritedThrough } : {}),
      });
    }
    return { runs: runIds, missingRuns, series, ...params, cursor: encodeCursor(q.kind, next) };
  }
}
