import type { PanelBlock, ReportData } from '@trackbase/contracts';
import { fromWireFloat } from '@trackbase/contracts';
import { useMemo } from 'react';
import { formatValueShort } from '../charts/format';
import { runColor } from '../charts/palette';
import { encodeColumn } from '../charts/stats';
import { LineChart, type ChartLine } from '../components/Chart';

type Scatter = Extract<PanelBlock, { type: 'scatter' }>;
type Parallel = Extract<PanelBlock, { type: 'parallel' }>;

/** A metric's last value in the panel's data (the last point before the cutoff when frozen). */
export function lastValue(data: ReportData, run: number, metric: string): number | undefined {
  const s = data.series.find((x) => x.run === run && x.name === metric);
  const v = s?.values[s.values.length - 1] ?? s?.last;
  return v === undefined || v === null ? undefined : (fromWireFloat(v) ?? undefined);
}

const runLabel = (r: ReportData['runs'][number]) => r.name || r.key;

function axisColumn(data: ReportData, axis: { kind: 'param' | 'metric'; name: string }): number[] {
  return axis.kind === 'param'
    ? encodeColumn(data.runs.map((r) => r.params[axis.name]))
    : data.runs.map((_, i) => lastValue(data, i, axis.name) ?? NaN);
}

/** One dot per run: x against y, each a param (categorical ones by rank) or a metric's last value. */
export function ScatterView({ block, data }: { block: Scatter; data: ReportData }) {
  const lines = useMemo<ChartLine[]>(() => {
    const xs = axisColumn(data, block.x);
    const ys = axisColumn(data, block.y);
    return data.runs.flatMap((run, i) =>
      Number.isFinite(xs[i]!) && Number.isFinite(ys[i]!)
        ? [{ id: run.id, label: runLabel(run), color: runColor({ id: run.id }), x: [xs[i]!], y: [ys[i]!] }]
        : [],
    );
  }, [block.x, block.y, data]);
  if (!lines.length)
    return (
      <p className="muted">
        No run has both {block.x.name} and {block.y.name}.
      </p>
    );
  return (
    <LineChart
      title={`${block.y.name} vs ${block.x.name}`}
      lines={lines}
      xKind="metric"
      xLabel={block.x.name}
      height={240}
      points
      robust={false}
    />
  );
}

/** Parallel coordinates: an axis per param, then per metric (last value), one polyline per run. */
export function ParallelView({ block, data }: { block: Parallel; data: ReportData }) {
  const axes = [
    ...block.params.map((p) => ({ name: p, kind: 'param' as const })),
    ...block.metrics.map((m) => ({ name: m, kind: 'metric' as const })),
  ];
  const columns = axes.map((a) => axisColumn(data, a));
  const labels = axes.map((a) => {
    if (a.kind === 'metric') return null;
    const values = data.runs.map((r) => r.params[a.name]);
    return values.some((v) => v !== undefined && v !== null && typeof v !== 'number')
      ? [...new Set(values.filter((v) => v !== undefined && v !== null).map((v) => JSON.stringify(v)))]
          .sort()
          .map((v) => JSON.parse(v) as unknown)
      : null;
  });
  const width = 640;
  const height = 240;
  const pad = 28;
  const xAt = (i: number) => pad + 20 + (i * (width - 3 * pad - 20)) / Math.max(1, axes.length - 1);
  const ranges = columns.map((c) => {
    const f = c.filter(Number.isFinite);
    return f.length ? [Math.min(...f), Math.max(...f)] : [0, 1];
  });
  const yAt = (i: number, v: number) => {
    const [lo, hi] = ranges[i]!;
    return height - pad - ((v - lo!) / (hi! - lo! || 1)) * (height - 2 * pad);
  };
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return (
    <svg
      className="parallel"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`parallel coordinates ${axes.map((a) => a.name).join(', ')}`}
    >
      {data.runs.map((run, r) => {
        const pts = axes.map((_, i) => columns[i]![r]!);
        if (pts.some((v) => !Number.isFinite(v))) return null;
        return (
          <polyline
            key={run.id}
            data-run={runLabel(run)}
            points={pts.map((v, i) => `${xAt(i)},${yAt(i, v)}`).join(' ')}
            fill="none"
            stroke={runColor({ id: run.id })}
            strokeWidth={1.5}
            opacity={0.85}
          >
            <title>{runLabel(run)}</title>
          </polyline>
        );
      })}
      {axes.map((a, i) => (
        <g key={a.name + a.kind} className="parallel-axis">
          <line x1={xAt(i)} x2={xAt(i)} y1={pad} y2={height - pad} stroke="currentColor" opacity={0.5} />
          <text x={xAt(i)} y={14} textAnchor="middle" fontSize={11}>
            {a.name}
          </text>
          <text x={xAt(i) + 3} y={pad} fontSize={10} opacity={0.7}>
            {labels[i] ? show(labels[i]!.at(-1)) : formatValueShort(ranges[i]![1]!)}
          </text>
          <text x={xAt(i) + 3} y={height - pad + 12} fontSize={10} opacity={0.7}>
            {labels[i] ? show(labels[i]![0]) : formatValueShort(ranges[i]![0]!)}
          </text>
        </g>
      ))}
    </svg>
  );
}
