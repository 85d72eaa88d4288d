import { useMemo } from 'react';
import { LineChart, type ChartLine } from '../components/Chart';
import { formatValueShort } from '../charts/format';
import { groupColor, runColor } from '../charts/palette';
import { correlation, encodeColumn, forestImportance } from '../charts/stats';
import type { ChartSync } from '../charts/sync';
import type { PanelRun } from './data';
import type { Panel } from './layout';
import type { Grouped } from './LinePanel';

interface SummaryProps {
  runs: PanelRun[];
  grouped: Grouped;
  summaries: Map<string, Map<string, number | null>>;
  params: Map<string, Record<string, unknown>>;
}

const lastOf = (p: SummaryProps, metric: string, run: PanelRun) => p.summaries.get(metric)?.get(run.id) ?? null;

/** A metric's last value against a param, one dot per run (categorical params by rank). */
export function ScatterPanel(props: SummaryProps & { panel: Panel & { type: 'scatter' }; sync: ChartSync }) {
  const { panel, runs, params } = props;
  const lines = useMemo(() => {
    const xs = encodeColumn(runs.map((r) => params.get(r.id)?.[panel.param]));
    const out: ChartLine[] = [];
    runs.forEach((run, i) => {
      const y = lastOf(props, panel.metric, run);
      if (y === null || !Number.isFinite(xs[i]!)) return;
      out.push({ id: run.id, label: run.key, color: runColor(run), x: [xs[i]!], y: [y] });
    });
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runs, params, props.summaries, panel.param, panel.metric]);
  if (!lines.length)
    return (
      <p className="muted panel-empty">
        No run has both {panel.param} and {panel.metric}.
      </p>
    );
  return <LineChart title={`${panel.metric} vs ${panel.param}`} lines={lines} xKind="metric" height={panel.h} points robust={false} />;
}

/** A metric's last value per run (or the mean per group), as horizontal bars in table order. */
export function BarPanel(props: SummaryProps & { panel: Panel & { type: 'bar' } }) {
  const { panel, runs, grouped } = props;
  const bars = grouped.groups
    ? grouped.groups.map((g, i) => {
        const values = g.runs.map((r) => lastOf(props, panel.metric, r)).filter((v): v is number => v !== null && Number.isFinite(v));
        return {
          id: g.label,
          label: `${g.label} (${values.length})`,
          color: groupColor(i),
          value: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
        };
      })
    : runs.map((r) => ({ id: r.id, label: r.key, color: runColor(r), value: lastOf(props, panel.metric, r) }));
  const finite = bars.map((b) => b.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(...finite.map(Math.abs), 0) || 1;
  return (
    <div className="bars" style={{ maxHeight: panel.h + 40 }} role="list" aria-label={`bars ${panel.metric}`}>
      {bars.map((b) => (
        <div key={b.id} className="bar-row" role="listitem">
          <span className="bar-label">{b.label}</span>
          <span className="bar-track">
            <span className="bar" style={{ width: `${b.value === null ? 0 : (Math.abs(b.value) / max) * 100}%`, background: b.color }} />
          </span>
          <span className="bar-value">{formatValueShort(b.value)}</span>
        </div>
      ))}
    </div>
  );
}

/** Parallel coordinates: one vertical axis per param and one for the metric, one polyline per run. */
export function ParallelPanel(props: SummaryProps & { panel: Panel & { type: 'parallel' } }) {
  const { panel, runs, params } = props;
  const axes = [...panel.params, panel.metric];
  const columns = axes.map((a, i) =>
    i < panel.params.length ? encodeColumn(runs.map((r) => params.get(r.id)?.[a])) : runs.map((r) => lastOf(props, a, r) ?? NaN),
  );
  const labels = axes.map((a, i) => {
    if (i === panel.params.length) return null;
    const values = runs.map((r) => params.get(r.id)?.[a]);
    return values.some((v) => v !== undefined && typeof v !== 'number')
      ? [...new Set(values.filter((v) => v !== undefined).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))].sort()
      : null;
  });
  const width = 640;
  const height = panel.h;
  const pad = 28;
  const xAt = (i: number) => pad + (i * (width - 3 * pad)) / Math.max(1, axes.length - 1);
  const ranges = columns.map((c) => {
    const f = c.filter(Number.isFinite);
    return f.length ? [Math.min(...f), Math.max(...f)] : [0, 1];
  });
  const yAt = (i: number, v: number) => {
    const [lo, hi] = ranges[i]!;
    return height - pad - ((v - lo!) / (hi! - lo! || 1)) * (height - 2 * pad);
  };
  return (
    <svg className="parallel" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`parallel coordinates ${axes.join(', ')}`}>
      {runs.map((run, r) => {
        const pts = axes.map((_, i) => columns[i]![r]!);
        if (pts.some((v) => !Number.isFinite(v))) return null;
        return (
          <polyline
            key={run.id}
            data-run={run.key}
            points={pts.map((v, i) => `${xAt(i)},${yAt(i, v)}`).join(' ')}
            fill="none"
            stroke={runColor(run)}
            strokeWidth={1.5}
            opacity={0.8}
          >
            <title>{run.key}</title>
          </polyline>
        );
      })}
      {axes.map((a, i) => (
        <g key={a} className="parallel-axis">
          <line x1={xAt(i)} x2={xAt(i)} y1={pad} y2={height - pad} stroke="currentColor" opacity={0.5} />
          <text x={xAt(i)} y={14} textAnchor="middle" fontSize={11}>
            {a}
          </text>
          <text x={xAt(i) + 3} y={pad} fontSize={10} opacity={0.7}>
            {labels[i] ? labels[i]!.at(-1) : formatValueShort(ranges[i]![1])}
          </text>
          <text x={xAt(i) + 3} y={height - pad + 12} fontSize={10} opacity={0.7}>
            {labels[i] ? labels[i]![0] : formatValueShort(ranges[i]![0])}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** For a metric: each param's correlation with it and its importance in a small random forest. */
export function ImportancePanel(props: SummaryProps & { panel: Panel & { type: 'importance' }; paramNames: string[] }) {
  const { panel, runs, params, paramNames } = props;
  const rows = useMemo(() => {
    const target = runs.map((r) => lastOf(props, panel.metric, r) ?? NaN);
    const features = paramNames.map((p) => encodeColumn(runs.map((r) => params.get(r.id)?.[p])));
    const importance = forestImportance(features, target);
    return paramNames
      .map((p, i) => ({ param: p, correlation: correlation(features[i]!, target), importance: importance[i]! }))
      .sort((a, b) => b.importance - a.importance || Math.abs(b.correlation ?? 0) - Math.abs(a.correlation ?? 0));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runs, params, paramNames, props.summaries, panel.metric]);
  if (!rows.length) return <p className="muted panel-empty">These runs have no params.</p>;
  return (
    <table className="grid importance" aria-label={`importance for ${panel.metric}`}>
      <thead>
        <tr>
          <th>Param</th>
          <th>Importance</th>
          <th>Correlation</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.param}>
            <td>
              <code>{r.param}</code>
            </td>
            <td>
              <span className="bar" style={{ width: `${Math.round(r.importance * 100)}%`, display: 'inline-block', minWidth: 2 }} />{' '}
              {(r.importance * 100).toFixed(0)}%
            </td>
            <td style={{ color: (r.correlation ?? 0) < 0 ? '#d62728' : '#2ca02c' }}>
              {r.correlation === null ? '—' : r.correlation.toFixed(2)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
