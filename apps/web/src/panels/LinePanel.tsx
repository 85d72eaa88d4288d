import { useEffect, useMemo, useState } from 'react';
import { LineChart, type ChartLine } from '../components/Chart';
import { unitOf } from '../charts/format';
import { groupColor, runColor, withAlpha } from '../charts/palette';
import type { Line } from '../charts/series-store';
import { aggregate, fillForward, smooth, type Smoothing } from '../charts/stats';
import type { ChartSync, XRange } from '../charts/sync';
import { useLines, type PanelRun } from './data';
import type { Panel, PanelSettings } from './layout';

export interface Grouped {
  /** Group label → runs in it, in table order; null when runs are not grouped. */
  groups: Array<{ label: string; runs: PanelRun[] }> | null;
}

function smoothing(settings: PanelSettings): Smoothing {
  const { kind, amount } = settings.smoothing;
  if (kind === 'ema' && amount > 0) return { kind: 'ema', weight: Math.min(0.999, amount) };
  if (kind === 'mean' && amount > 1) return { kind: 'mean', window: Math.round(amount) };
  return { kind: 'none' };
}

/** x values of a run's line for the panel's x axis; null when it cannot be drawn (no x metric at those steps). */
function xOf(line: Line, x: Panel & { type: 'line' }, xLine: Line | undefined): { x: number[]; y: number[] } | null {
  if (x.x === 'time') return { x: line.times.map((t) => t / 1000), y: line.values };
  if (x.x === 'relative') {
    const start = line.times[0] ?? 0;
    return { x: line.times.map((t) => (t - start) / 1000), y: line.values };
  }
  if (x.x === 'metric') {
    if (!xLine) return null;
    const byStep = new Map(xLine.steps.map((s, i) => [s, xLine.values[i]!]));
    const pairs: Array<[number, number]> = [];
    line.steps.forEach((s, i) => {
      const xv = byStep.get(s);
      if (xv !== undefined && Number.isFinite(xv)) pairs.push([xv, line.values[i]!]);
    });
    pairs.sort((a, b) => a[0] - b[0]);
    return { x: pairs.map((p) => p[0]), y: pairs.map((p) => p[1]) };
  }
  return { x: line.steps, y: line.values };
}

/**
 * Every run's line for each metric of the panel (several metrics overlay: train
 * and val loss together), or per group the mean with a band. A zoom along steps
 * re-reads that range at full detail.
 */
export function LinePanel({
  panel,
  runs,
  grouped,
  settings,
  store,
  sync,
  visible,
}: {
  panel: Panel & { type: 'line' };
  runs: PanelRun[];
  grouped: Grouped;
  settings: PanelSettings;
  store: import('../charts/series-store').SeriesStore;
  sync: ChartSync;
  visible: boolean;
}) {
  const x = { ...panel, x: panel.x ?? settings.x };
  const names = x.x === 'metric' && x.xMetric ? [...panel.metrics, x.xMetric] : panel.metrics;
  const data = useLines(store, names, visible);
  const [detail, setDetail] = useState<Map<string, Map<string, Line>> | null>(null);

  // A zoom along steps fetches that range at full detail; a reset drops it.
  useEffect(() => {
    if (x.x !== 'step') return;
    let cancelled = false;
    const onZoom = (range: XRange, axis: string) => {
      if (axis !== 'step') return;
      if (!range) return setDetail(null);
      store
        .range(names, range.from, range.to)
        .then((d) => !cancelled && setDetail(d))
        .catch(() => undefined);
    };
    const unsubscribe = sync.subscribe(onZoom);
    // A panel that comes into view while the area is zoomed reads that range too.
    if (sync.range && sync.axis === 'step') onZoom(sync.range, 'step');
    return () => {
      cancelled = true;
      unsubscribe();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, sync, names.join('\u0000'), x.x]);

  const lines = useMemo(() => {
    const s = smoothing(settings);
    const out: ChartLine[] = [];
    const source = (i: number) => (detail ? detail.get(names[i]!) : data[i]);
    const xLines = x.x === 'metric' ? source(names.length - 1) : undefined;
    panel.metrics.forEach((metric, m) => {
      const byRun = source(m);
      if (!byRun) return;
      const suffix = panel.metrics.length > 1 ? ` ${metric}` : '';
      const dash = m > 0;
      const runLine = (run: PanelRun) => {
        const line = byRun.get(run.id);
        if (!line || !line.steps.length) return null;
        return xOf(line, x, xLines?.get(run.id));
      };
      if (grouped.groups) {
        grouped.groups.forEach((g, gi) => {
          const members = g.runs.map(runLine).filter((l): l is { x: number[]; y: number[] } => !!l);
          if (!members.length) return;
          const xs = [...new Set(members.flatMap((l) => l.x))].sort((a, b) => a - b);
          const index = new Map(xs.map((v, i) => [v, i]));
          const columns = members.map((l) => {
            const c: Array<number | null> = new Array(xs.length).fill(null);
            const sm = smooth(l.y, s);
            l.x.forEach((v, i) => (c[index.get(v)!] = Number.isFinite(sm[i]!) ? sm[i]! : null));
            return fillForward(c);
          });
          const agg = aggregate(columns, xs.length, settings.band);
          out.push({
            id: `${metric}:${g.label}`,
            label: `${g.label}${suffix} (${members.length})`,
            color: groupColor(gi),
            x: xs,
            y: agg.mean.map((v) => v ?? NaN),
            low: agg.low,
            high: agg.high,
            width: 2,
            dash: dash ? [6, 3] : undefined,
          });
        });
        return;
      }
      for (const run of runs) {
        const l = runLine(run);
        if (!l) continue;
        const smoothed = s.kind === 'none' ? l.y : smooth(l.y, s);
        const color = runs.length === 1 && panel.metrics.length > 1 ? groupColor(m) : runColor(run);
        // A fork on a step axis: the part inherited from its ancestors is drawn faint and dotted.
        const through = x.x === 'step' ? byRun.get(run.id)?.inheritedThrough : undefined;
        const firstOwn = through === undefined ? 0 : l.x.findIndex((v) => v > through);
        const cut = firstOwn === -1 ? l.x.length : firstOwn;
        if (cut > 0) {
          out.push({
            id: `${metric}:${run.id}:inherited`,
            label: `${run.key}${suffix} (inherited)`,
            color: withAlpha(color, 0.55),
            x: l.x.slice(0, cut),
            y: smoothed.slice(0, cut),
            dash: [2, 3],
          });
        }
        if (cut === l.x.length) continue;
        out.push({
          id: `${metric}:${run.id}`,
          label: `${run.key}${suffix}`,
          // One run, several metrics: a colour per metric; several runs: the run's colour, later metrics dashed.
          color,
          x: l.x.slice(cut),
          y: smoothed.slice(cut),
          raw: s.kind === 'none' ? undefined : l.y.slice(cut),
          dash: dash && runs.length > 1 ? [6, 3] : undefined,
        });
      }
    });
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, detail, runs, grouped, settings, panel]);

  const loaded = data.every((d) => d !== undefined);
  if (!visible || !loaded) return <div className="panel-placeholder" style={{ height: panel.h + 40 }} aria-busy="true" />;
  if (!lines.length) return <p className="muted panel-empty">No points for these runs.</p>;
  return (
    <LineChart
      title={panel.metrics.join(', ')}
      lines={lines}
      xKind={x.x}
      yUnit={unitOf(panel.metrics[0] ?? '')}
      log={settings.log}
      robust={settings.robust}
      height={panel.h}
      sync={sync}
    />
  );
}
