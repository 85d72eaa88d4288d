import { fromWireFloat, paths, type PackedSeries, type SeriesQueryRequest, type SeriesQueryResponse } from '@trackbase/contracts';
import { post } from '../api/client';

/** One run's points of one series, as numbers (NaN and infinities decoded). */
export interface Line {
  steps: number[];
  values: number[];
  times: number[];
  min?: number[];
  max?: number[];
  downsampled: boolean;
  /** A fork's series: points at steps up to this one may be inherited from an ancestor run. */
  inheritedThrough?: number;
}

export interface SeriesSummary {
  runId: string;
  name: string;
  totalPoints: number;
  last: number | null;
}

/** Names per request: small answers parse in a few ms each, so charts appear one batch at a time instead of one long frame. */
const NAMES_PER_REQUEST = 8;
const BATCH_WINDOW_MS = 16;
/**
 * Points drawn per chart, over all its lines: 100 overlaid runs get 200 points each (two per pixel of
 * a third-width panel), a few runs up to the area's maxPoints. Keeps one request of 8 names for 100
 * runs near 3 MB instead of 25 MB.
 */
const POINTS_PER_CHART = 20_000;
const MIN_POINTS_PER_LINE = 100;

/** Points per line for a chart of `runs` lines, at most `maxPoints`. */
export function pointsPerLine(maxPoints: number, runs: number): number {
  return Math.min(maxPoints, Math.max(MIN_POINTS_PER_LINE, Math.floor(POINTS_PER_CHART / Math.max(1, runs))));
}

export function decode(s: PackedSeries): Line {
  return {
    steps: s.steps,
    values: s.values.map(fromWireFloat),
    times: s.times ?? [],
    ...(s.min ? { min: s.min.map(fromWireFloat), max: s.max!.map(fromWireFloat) } : {}),
    downsampled: s.downsampled,
    ...(s.inheritedThrough !== undefined ? { inheritedThrough: s.inheritedThrough } : {}),
  };
}

function appendLine(a: Line, b: Line): Line {
  return {
    steps: a.steps.concat(b.steps),
    values: a.values.concat(b.values),
    times: a.times.concat(b.times),
    ...(a.min || b.min ? { min: (a.min ?? a.values).concat(b.min ?? b.values), max: (a.max ?? a.values).concat(b.max ?? b.values) } : {}),
    downsampled: a.downsampled || b.downsampled,
    ...(a.inheritedThrough !== undefined ? { inheritedThrough: a.inheritedThrough } : {}),
  };
}

/**
 * Series of a set of runs for the chart panels, loaded through `POST …/series/query`
 * only for the names panels on screen ask for, several names per request, and kept
 * current by cursor (only new points travel). Listeners hear about the names that changed.
 */
export class SeriesStore {
  private readonly lines = new Map<string, Map<string, Line>>();
  private readonly wanted = new Set<string>();
  private readonly queued = new Set<string>();
  private readonly batches: Array<{ names: string[]; runs: string[]; cursor: string }> = [];
  private readonly listeners = new Set<(names: Set<string>) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private runs: string[] = [];
  private refreshing: Promise<void> | null = null;
  private closed = false;
  errors: Error[] = [];

  constructor(
    private readonly org: string,
    private readonly project: string,
    private readonly kind: 'metric' | 'system',
    private readonly maxPoints: number,
    /** Wall times of points: only charts against time or relative time draw them. */
    private readonly times = true,
  ) {}

  /** Points per line for the runs charted now. */
  private get points(): number {
    return pointsPerLine(this.maxPoints, this.runs.length);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  subscribe(listener: (names: Set<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(name: string): Map<string, Line> | undefined {
    return this.lines.get(name);
  }

  isLoaded(name: string): boolean {
    return this.lines.has(name);
  }

  /** The runs to chart; runs new to the store are read in full for every name already loaded. */
  setRuns(runIds: string[]): void {
    const added = runIds.filter((id) => !this.runs.includes(id));
    this.runs = runIds;
    if (!added.length) return;
    const names = [...this.wanted].filter((n) => this.lines.has(n));
    for (let i = 0; i < names.length; i += NAMES_PER_REQUEST) void this.load(names.slice(i, i + NAMES_PER_REQUEST), added);
  }

  /** Asks for names (a panel came into view); requests go out batched. */
  request(names: string[]): void {
    for (const n of names) {
      if (this.wanted.has(n)) continue;
      this.wanted.add(n);
      this.queued.add(n);
    }
    if (this.queued.size && !this.timer) this.timer = setTimeout(() => this.flush(), BATCH_WINDOW_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const names = [...this.queued];
    this.queued.clear();
    if (!this.runs.length) return;
    for (let i = 0; i < names.length; i += NAMES_PER_REQUEST) void this.load(names.slice(i, i + NAMES_PER_REQUEST), this.runs);
  }

  private async query(body: SeriesQueryRequest): Promise<SeriesQueryResponse> {
    // Panels draw lines, never the buckets' extremes: leaving them out is two fifths of the payload.
    return post<SeriesQueryResponse>(paths.seriesQuery(this.org, this.project), {
      kind: this.kind,
      times: this.times,
      extremes: false,
      ...body,
    });
  }

  private async load(names: string[], runs: string[]): Promise<void> {
    try {
      const answer = await this.query({ runs, names, maxPoints: this.points });
      if (this.closed) return;
      for (const name of names) if (!this.lines.has(name)) this.lines.set(name, new Map());
      for (const s of answer.series) this.lines.get(s.name)?.set(answer.runs[s.run]!, decode(s));
      this.batches.push({ names, runs, cursor: answer.cursor });
      this.emit(new Set(names));
    } catch (error) {
      for (const n of names) this.wanted.delete(n);
      this.errors.push(error as Error);
      this.emit(new Set(names));
    }
  }

  /** New points since the last answer of every batch (what a live update asks for); one refresh at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const changed = new Set<string>();
      for (const batch of this.batches) {
        const runs = batch.runs.filter((r) => this.runs.includes(r));
        if (!runs.length) continue;
        const answer = await this.query({ runs: batch.runs, names: batch.names, maxPoints: this.points, cursor: batch.cursor });
        batch.cursor = answer.cursor;
        for (const s of answer.series) {
          const byRun = this.lines.get(s.name);
          if (!byRun) continue;
          const runId = answer.runs[s.run]!;
          const current = byRun.get(runId);
          byRun.set(runId, s.append && current ? appendLine(current, decode(s)) : decode(s));
          changed.add(s.name);
        }
      }
      if (changed.size && !this.closed) this.emit(changed);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Points of some names in a step range at full detail (a zoom), not kept in the store. */
  async range(names: string[], from: number, to: number): Promise<Map<string, Map<string, Line>>> {
    const answer = await this.query({
      runs: this.runs,
      names,
      from: Math.max(0, Math.floor(from)),
      to: Math.max(0, Math.ceil(to)),
      maxPoints: this.points,
    });
    const result = new Map<string, Map<string, Line>>();
    for (const s of answer.series) {
      if (!result.has(s.name)) result.set(s.name, new Map());
      result.get(s.name)!.set(answer.runs[s.run]!, decode(s));
    }
    return result;
  }

  private emit(names: Set<string>): void {
    for (const l of this.listeners) l(names);
  }
}

/** Which series these runs log (their names, no summary per series), with each run's params: what the panel area lays out. */
export async function loadNames(org: string, project: string, runs: string[], kind: 'metric' | 'system') {
  if (!runs.length) return { names: [] as string[], params: new Map<string, Record<string, unknown>>(), ids: new Map<string, string>() };
  const answer = await post<SeriesQueryResponse>(paths.seriesQuery(org, project), {
    runs,
    kind,
    maxPoints: 0,
    params: true,
    namesOnly: true,
  });
  // The answer names runs in request order, the missing ones left out: map each ref to its id.
  const missing = new Set(answer.missingRuns);
  const ids = new Map<string, string>();
  let next = 0;
  for (const ref of runs) if (!missing.has(ref) && !ids.has(ref)) ids.set(ref, answer.runs[next++]!);
  return { ids, names: answer.names ?? [], params: new Map(answer.runs.map((id, i) => [id, answer.params?.[i] ?? {}])) };
}

/** The last values of some series of these runs (no points): what scatter, bar, parallel and importance panels draw. */
export async function loadSummaries(org: string, project: string, runs: string[], kind: 'metric' | 'system', names: string[]) {
  if (!runs.length || !names.length) return [] as SeriesSummary[];
  const answer = await post<SeriesQueryResponse>(paths.seriesQuery(org, project), { runs, kind, maxPoints: 0, names });
  return answer.series.map((s) => ({
    runId: answer.runs[s.run]!,
    name: s.name,
    totalPoints: s.totalPoints,
    last: s.last === null ? null : fromWireFloat(s.last),
  }));
}

/** One series of each run at full resolution (up to 100,000 points): what the media slider places steps on. */
export async function loadFullSeries(org: string, project: string, runs: string[], name: string): Promise<Map<string, Line>> {
  const answer = await post<SeriesQueryResponse>(paths.seriesQuery(org, project), {
    runs,
    names: [name],
    kind: 'metric',
    maxPoints: 100_000,
    times: false,
  });
  return new Map(answer.series.map((s) => [answer.runs[s.run]!, decode(s)]));
}
