import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTicks, formatValueShort, type AxisUnit } from '../charts/format';
import { withAlpha } from '../charts/palette';
import { robustRange } from '../charts/stats';
import type { ChartSync, XRange } from '../charts/sync';

export interface ChartLine {
  id: string;
  label: string;
  color: string;
  x: number[];
  y: number[];
  /** The unsmoothed values, drawn faint behind `y`. */
  raw?: number[];
  /** A band around the line (a group's std, standard error or min–max). */
  low?: Array<number | null>;
  high?: Array<number | null>;
  width?: number;
  /** Dash pattern (a second metric overlaid on the same runs). */
  dash?: number[];
}

export type XKind = 'step' | 'time' | 'relative' | 'metric';

export interface LineChartProps {
  title: string;
  lines: ChartLine[];
  xKind: XKind;
  xLabel?: string;
  yUnit?: AxisUnit;
  log?: boolean;
  /** Ignore outliers when fitting the y-range (1st–99th percentile). */
  robust?: boolean;
  height?: number;
  sync?: ChartSync;
  /** Points drawn as dots, no lines (scatter). */
  points?: boolean;
  /** Legend rows shown at the cursor (the nearest lines); the rest are counted. */
  legendRows?: number;
}

/** Union of the lines' x values, each line's values placed on it (null where it has none): uPlot's data model. */
function align(lines: ChartLine[]): { data: uPlot.AlignedData; columns: Array<Array<number | null>> } {
  let x: number[];
  const first = lines[0]?.x;
  if (first && lines.every((l) => l.x === first || (l.x.length === first.length && l.x.every((v, i) => v === first[i])))) x = first.slice();
  else {
    const xs = new Set<number>();
    for (const l of lines) for (const v of l.x) xs.add(v);
    x = [...xs].sort((a, b) => a - b);
  }
  const index = new Map(x.map((v, i) => [v, i]));
  const place = (l: ChartLine, values: ArrayLike<number | null>) => {
    const column: Array<number | null> = new Array(x.length).fill(null);
    for (let i = 0; i < l.x.length; i++) {
      const v = values[i];
      column[index.get(l.x[i]!)!] = typeof v === 'number' && Number.isFinite(v) ? v : null;
    }
    return column;
  };
  const columns: Array<Array<number | null>> = [];
  for (const l of lines) {
    if (l.raw) columns.push(place(l, l.raw));
    if (l.low && l.high) {
      columns.push(place(l, l.low));
      columns.push(place(l, l.high));
    }
    columns.push(place(l, l.y));
  }
  return { data: [x, ...columns] as uPlot.AlignedData, columns };
}

function seriesOptions(lines: ChartLine[], points: boolean): { series: uPlot.Series[]; bands: uPlot.Band[] } {
  const series: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  const pathless = points ? { paths: () => null, points: { show: true, size: 7, width: 1 } } : {};
  for (const l of lines) {
    if (l.raw)
      series.push({ label: `${l.label} (raw)`, stroke: withAlpha(l.color, 0.25), width: 1, spanGaps: true, points: { show: false } });
    if (l.low && l.high) {
      const lowIndex = series.length;
      series.push({ label: `${l.label} low`, stroke: 'transparent', spanGaps: true, points: { show: false } });
      series.push({ label: `${l.label} high`, stroke: 'transparent', spanGaps: true, points: { show: false } });
      bands.push({ series: [lowIndex + 1, lowIndex], fill: withAlpha(l.color, 0.18) });
    }
    series.push({
      label: l.label,
      stroke: l.color,
      fill: points ? l.color : undefined,
      width: l.width ?? 1.5,
      spanGaps: true,
      ...(l.dash ? { dash: l.dash } : {}),
      ...pathless,
    });
  }
  return { series, bands };
}

const xValues = (kind: XKind) =>
  kind === 'relative'
    ? (_u: uPlot, splits: number[]) => formatTicks(splits, 'seconds')
    : kind === 'time'
      ? undefined
      : (_u: uPlot, splits: number[]) => formatTicks(splits);

/**
 * A canvas line chart (uPlot, chosen because it draws hundreds of lines of
 * thousands of points in a few milliseconds where SVG libraries take seconds).
 * Ticks keep enough significant digits; bytes and durations carry units and
 * the y-axis widens to fit its labels. Drag to zoom (synced across the area),
 * double-click to reset; the crosshair is shared with the other charts.
 */
export function LineChart(props: LineChartProps) {
  const { title, lines, xKind, yUnit = 'number', log = false, robust = true, height = 220, sync, points = false, legendRows = 6 } = props;
  const host = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(lines);
  latest.current = lines;
  const yRange = useRef<[number, number] | null>(null);
  const shape = `${lines.map((l) => `${l.id}:${l.color}:${!!l.raw}:${!!l.low}:${l.dash ?? ''}`).join('|')}|${log}|${xKind}|${yUnit}|${robust}|${points}|${height}`;

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const { data, columns } = align(latest.current);
    const { series, bands } = seriesOptions(latest.current, points);
    yRange.current = robust ? robustRange(columns, log) : null;
    const options: uPlot.Options = {
      width: element.clientWidth || 400,
      height,
      legend: { show: false },
      scales: {
        x: { time: xKind === 'time' },
        y: {
          distr: log ? 3 : 1,
          range: (_u, min, max) =>
            yRange.current && !log ? yRange.current : log ? [Math.max(min, 1e-12), max] : uPlot.rangeNum(min, max, 0.1, true),
        },
      },
      series,
      bands,
      axes: [
        { values: xValues(xKind), size: 36 },
        {
          values: (_u, splits) => {
            const labels = formatTicks(splits, yUnit);
            // The tick labels are drawn on the canvas; the figure carries them for assistive tools and tests.
            element.parentElement?.setAttribute('data-yticks', labels.join('|'));
            return labels;
          },
          // Wide enough for the longest label: never clipped.
          size: (u, values) => (values ? Math.max(...values.map((v) => String(v).length)) * 7 + 18 : 50),
        },
      ],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        sync: sync ? { key: sync.key } : undefined,
        points: { show: false },
      },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const range = { from: u.posToVal(u.select.left, 'x'), to: u.posToVal(u.select.left + u.select.width, 'x') };
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (sync) sync.zoom(range, xKind);
            else u.setScale('x', { min: range.from, max: range.to });
          },
        ],
        setCursor: [(u) => renderLegend(u, legend.current, latest.current, yUnit, legendRows)],
      },
    };
    const u = new uPlot(options, data, element);
    plot.current = u;
    const apply = (range: XRange, axis: string) => {
      if (axis !== xKind) return;
      if (range) u.setScale('x', { min: range.from, max: range.to });
      else u.setScale('x', { min: u.data[0][0] ?? 0, max: u.data[0][u.data[0].length - 1] ?? 1 });
    };
    const unsubscribe = sync?.subscribe(apply);
    if (sync?.range && sync.axis === xKind) apply(sync.range, xKind);
    const observer = new ResizeObserver(() => element.clientWidth && u.setSize({ width: element.clientWidth, height }));
    observer.observe(element);
    const reset = () => (sync ? sync.zoom(null, xKind) : apply(null, xKind));
    element.addEventListener('dblclick', reset);
    // Data updates (live points, a zoom's detail) arrive through setData below without rebuilding.
    return () => {
      unsubscribe?.();
      observer.disconnect();
      element.removeEventListener('dblclick', reset);
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the shape changes; see the effect below for data.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, sync]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const { data, columns } = align(lines);
    yRange.current = robust ? robustRange(columns, log) : null;
    const zoomed = sync?.range && sync.axis === xKind ? sync.range : null;
    u.setData(data, !zoomed);
    if (zoomed) u.setScale('x', { min: zoomed.from, max: zoomed.to });
  }, [lines, robust, log, sync, xKind]);

  const total = lines.reduce((n, l) => n + l.x.length, 0);
  return (
    <figure
      className="chart-figure"
      aria-label={`chart ${title}`}
      data-points={total}
      data-lines={lines.length}
      data-bands={lines.filter((l) => l.low && l.high).length}
    >
      <div className="chart" ref={host} />
      <div className="chart-legend">{staticLegend(lines, legendRows)}</div>
      <div className="chart-hover" ref={legend} aria-live="off" />
    </figure>
  );
}

/** Without a cursor: the first lines in the order given (the table's order), then a count. */
function staticLegend(lines: ChartLine[], rows: number) {
  return (
    <>
      {lines.slice(0, rows).map((l) => (
        <span key={l.id} className="legend-item">
          <i style={{ background: l.color }} />
          {l.label}
        </span>
      ))}
      {lines.length > rows && <span className="muted">+{lines.length - rows} more</span>}
    </>
  );
}

/** At the cursor: the lines nearest to it in value, with their values; the rest are counted. */
function renderLegend(u: uPlot, element: HTMLDivElement | null, lines: ChartLine[], unit: AxisUnit, rows: number) {
  if (!element) return;
  const idx = u.cursor.idx;
  if (idx === null || idx === undefined) return;
  const top = u.cursor.top ?? 0;
  const at = u.posToVal(top, 'y');
  const entries: Array<{ label: string; color: string; value: number }> = [];
  let column = 1;
  for (const l of lines) {
    if (l.raw) column++;
    if (l.low && l.high) column += 2;
    const value = u.data[column]?.[idx];
    if (typeof value === 'number') entries.push({ label: l.label, color: l.color, value });
    column++;
  }
  entries.sort((a, b) => Math.abs(a.value - at) - Math.abs(b.value - at));
  const x = u.data[0][idx];
  const shown = entries.slice(0, rows);
  element.replaceChildren(
    ...[`x ${typeof x === 'number' ? formatValueShort(x) : ''}`, ...shown.map((e) => e)].map((e) => {
      const span = document.createElement('span');
      span.className = 'legend-item';
      if (typeof e === 'string') span.textContent = e;
      else {
        const swatch = document.createElement('i');
        swatch.style.background = e.color;
        span.append(swatch, `${e.label} ${formatValueShort(e.value, unit)}`);
      }
      return span;
    }),
    ...(entries.length > rows
      ? [Object.assign(document.createElement('span'), { className: 'muted', textContent: `+${entries.length - rows} more` })]
      : []),
  );
}
