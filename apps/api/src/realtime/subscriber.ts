import { REALTIME_LIMITS, type PointsEvent, type SeriesKind, type WireFloat } from '@trackbase/contracts';

interface PendingSeries {
  runId: string;
  kind: SeriesKind;
  name: string;
  steps: number[];
  values: WireFloat[];
  times: number[];
  lines?: string[];
}

export interface Outlet {
  /** False while the client has not drained what was already sent. */
  ready(): boolean;
  send(event: PointsEvent): void;
}

/**
 * One subscriber's outbox for points. Points are merged per series and sent
 * at most every `flushIntervalMs`. A series keeps at most
 * `pointsPerSeriesPerFlush` pending points (the newest); a slow client loses
 * the older ones and is told so (`coalesced`), so memory per subscriber is
 * bounded however far behind it falls. It can always re-read over REST.
 */
export class Subscriber {
  private readonly pending = new Map<string, PendingSeries>();
  private readonly coalescedRuns = new Set<string>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly outlet: Outlet,
    private readonly limits: { flushIntervalMs: number; pointsPerSeriesPerFlush: number; seriesPerSubscriber: number } = REALTIME_LIMITS,
  ) {}

  enqueue(event: PointsEvent): void {
    if (this.closed) return;
    if (event.coalesced) this.coalescedRuns.add(event.runId);
    for (const s of event.series) {
      const key = `${event.runId}\u0000${s.kind}\u0000${s.name}`;
      let entry = this.pending.get(key);
      if (!entry) {
        if (this.pending.size >= this.limits.seriesPerSubscriber) {
          this.coalescedRuns.add(event.runId);
          continue;
        }
        entry = { runId: event.runId, kind: s.kind, name: s.name, steps: [], values: [], times: [], ...(s.lines ? { lines: [] } : {}) };
        this.pending.set(key, entry);
      }
      for (let i = 0; i < s.steps.length; i++) {
        entry.steps.push(s.steps[i]!);
        entry.values.push(s.values[i]!);
        entry.times.push(s.times[i]!);
        if (entry.lines && s.lines) entry.lines.push(s.lines[i]!);
      }
      const excess = entry.steps.length - this.limits.pointsPerSeriesPerFlush;
      if (excess > 0) {
        entry.steps.splice(0, excess);
        entry.values.splice(0, excess);
        entry.times.splice(0, excess);
        entry.lines?.splice(0, excess);
        this.coalescedRuns.add(event.runId);
      }
    }
    this.schedule();
  }

  /** Points held for this subscriber right now; bounded by the limits. */
  pendingPoints(): number {
    let n = 0;
    for (const entry of this.pending.values()) n += entry.steps.length;
    return n;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.limits.flushIntervalMs);
    this.timer.unref?.();
  }

  private flush(): void {
    if (!this.pending.size) return;
    if (!this.outlet.ready()) {
      this.schedule();
      return;
    }
    const byRun = new Map<string, PointsEvent>();
    for (const entry of this.pending.values()) {
      const event = byRun.get(entry.runId) ?? { runId: entry.runId, series: [], coalesced: this.coalescedRuns.has(entry.runId) };
      const { runId: _runId, ...series } = entry;
      event.series.push(series);
      byRun.set(entry.runId, event);
    }
    this.pending.clear();
    this.coalescedRuns.clear();
    for (const event of byRun.values()) this.outlet.send(event);
  }
}
