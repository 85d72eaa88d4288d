import { fromWireFloat, type WireFloat } from '@trackbase/contracts';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  steps: number[];
  values: WireFloat[];
  times: number[];
}

export interface ChartOptions {
  logScale?: boolean;
  smoothing?: number;
  xAxis?: 'step' | 'time';
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** Exponential moving average, as TensorBoard and W&B smooth, skipping non-finite values. */
function smooth(values: number[], weight: number): number[] {
  if (!weight) return values;
  let last = NaN;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = Number.isNaN(last) ? v : last * weight + (1 - weight) * v;
    return last;
  });
}

/** Aligns several series on one x axis (uPlot's data model) with gaps where a series has no point. */
function align(series: ChartSeries[], xAxis: 'step' | 'time', weight: number): uPlot.AlignedData {
  const xs = new Set<number>();
  for (const s of series) (xAxis === 'step' ? s.steps : s.times.map((t) => t / 1000)).forEach((x) => xs.add(x));
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const columns = series.map((s) => {
    const column: (number | null)[] = new Array(x.length).fill(null);
    const values = smooth(
      s.values.map((v) => fromWireFloat(v)),
      weight,
    );
    const keys = xAxis === 'step' ? s.steps : s.times.map((t) => t / 1000);
    keys.forEach((k, i) => {
      const v = values[i]!;
      column[index.get(k)!] = Number.isFinite(v) ? v : null;
    });
    return column;
  });
  return [x, ...columns] as uPlot.AlignedData;
}

export type ZoomRange = { from: number; to: number } | null;

/**
 * A canvas line chart (uPlot): drag to zoom, double-click to reset. With
 * `onZoom`, the owner may answer a zoom with finer data for that range
 * (series are downsampled on the server, so zooming into a long series
 * would otherwise only magnify the downsampled points).
 */
export function Chart({
  title,
  series,
  options = {},
  onZoom,
}: {
  title: string;
  series: ChartSeries[];
  options?: ChartOptions;
  onZoom?: (range: ZoomRange) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomHandler = useRef(onZoom);
  zoomHandler.current = onZoom;
  const xAxis = options.xAxis ?? 'step';
  const shape = `${series.map((s) => s.label).join('|')}|${options.logScale}|${xAxis}`;

  useEffect(() => {
    if (!host.current) return;
    const width = host.current.clientWidth || 480;
    plot.current = new uPlot(
      {
        title,
        width,
        height: 220,
        scales: { x: { time: xAxis === 'time' }, y: { distr: options.logScale ? 3 : 1 } },
        series: [
          { label: xAxis },
          ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true })),
        ],
        axes: [{}, { size: 60 }],
        cursor: { drag: { x: true, y: false } },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              zoomHandler.current?.({ from: u.posToVal(u.select.left, 'x'), to: u.posToVal(u.select.left + u.select.width, 'x') });
            },
          ],
        },
      },
      align(series, xAxis, options.smoothing ?? 0),
      host.current,
    );
    const resize = () => host.current && plot.current?.setSize({ width: host.current.clientWidth, height: 220 });
    const reset = () => zoomHandler.current?.(null);
    const element = host.current;
    window.addEventListener('resize', resize);
    element.addEventListener('dblclick', reset);
    return () => {
      window.removeEventListener('resize', resize);
      element.removeEventListener('dblclick', reset);
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series or the scales change; data updates go through setData.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, title]);

  useEffect(() => {
    plot.current?.setData(align(series, xAxis, options.smoothing ?? 0), true);
  }, [series, xAxis, options.smoothing]);

  return <div className="chart" ref={host} aria-label={`chart ${title}`} data-points={series.reduce((n, s) => n + s.steps.length, 0)} />;
}
