import type { PointsEvent, SeriesData, SeriesKind } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { get } from '../api/client';
import { Chart, type ChartOptions, type ZoomRange } from '../components/Chart';
import { Empty, ErrorBox, Loading } from '../components/ui';

/** Series of one kind for a run, grouped by namespace (`train/loss` → `train`), growing live. */
export function useRunSeries(org: string, project: string, run: string | undefined, kind: SeriesKind, maxPoints = 1000) {
  const [series, setSeries] = useState<SeriesData[]>();
  const [error, setError] = useState<Error>();
  const load = useCallback(() => {
    if (!run) return;
    get<SeriesData[]>(`${paths.runSeries(org, project, run)}?kind=${kind}&maxPoints=${maxPoints}`)
      .then(setSeries)
      .catch(setError);
  }, [org, project, run, kind, maxPoints]);
  useEffect(load, [load]);

  const append = useCallback(
    (event: PointsEvent) => {
      setSeries((current) => {
        if (!current) return current;
        const next = [...current];
        for (const s of event.series) {
          if (s.kind !== kind) continue;
          const index = next.findIndex((c) => c.name === s.name);
          if (index < 0) {
            next.push({
              runId: event.runId,
              name: s.name,
              kind,
              steps: s.steps,
              values: s.values,
              times: s.times,
              downsampled: false,
              totalPoints: s.steps.length,
            });
            continue;
          }
          const c = next[index]!;
          next[index] = {
            ...c,
            steps: [...c.steps, ...s.steps],
            values: [...c.values, ...s.values],
            times: [...c.times, ...s.times],
            totalPoints: c.totalPoints + s.steps.length,
          };
        }
        return next.sort((a, b) => a.name.localeCompare(b.name));
      });
    },
    [kind],
  );
  /** The points of one series between two steps, downsampled to the same budget: what a zoom shows. */
  const loadRange = useCallback(
    async (name: string, from: number, to: number) => {
      if (!run) return undefined;
      const range = `from=${Math.max(0, Math.floor(from))}&to=${Math.max(0, Math.ceil(to))}`;
      const found = await get<SeriesData[]>(
        `${paths.runSeries(org, project, run)}?kind=${kind}&names=${encodeURIComponent(name)}&${range}&maxPoints=${maxPoints}`,
      );
      return found[0];
    },
    [org, project, run, kind, maxPoints],
  );
  return { series, error, append, reload: load, loadRange };
}

type LoadRange = (name: string, from: number, to: number) => Promise<SeriesData | undefined>;

/** One series' chart; on a zoom along steps it shows that range at full resolution (live points resume on reset). */
function SeriesChart({ series, options, loadRange }: { series: SeriesData; options: ChartOptions; loadRange?: LoadRange }) {
  const [zoomed, setZoomed] = useState<SeriesData>();
  const onZoom = useCallback(
    (range: ZoomRange) => {
      if (!range || !loadRange) return setZoomed(undefined);
      loadRange(series.name, range.from, range.to)
        .then((detail) => detail && setZoomed(detail))
        .catch(() => undefined);
    },
    [loadRange, series.name],
  );
  const shown = zoomed ?? series;
  return (
    <Chart
      title={series.name}
      series={[{ label: series.name, steps: shown.steps, values: shown.values, times: shown.times }]}
      options={options}
      onZoom={loadRange && options.xAxis !== 'time' ? onZoom : undefined}
    />
  );
}

export function ChartGrid({
  series,
  error,
  emptyText,
  loadRange,
}: {
  series: SeriesData[] | undefined;
  error: Error | undefined;
  emptyText: string;
  loadRange?: LoadRange;
}) {
  const [options, setOptions] = useState<ChartOptions>({ logScale: false, smoothing: 0, xAxis: 'step' });
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const byNamespace = new Map<string, SeriesData[]>();
    for (const s of series ?? []) {
      if (query && !s.name.toLowerCase().includes(query.toLowerCase())) continue;
      const namespace = s.name.includes('/') ? s.name.slice(0, s.name.indexOf('/')) : 'metrics';
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), s]);
    }
    return [...byNamespace.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [series, query]);

  if (error) return <ErrorBox error={error} />;
  if (!series) return <Loading what="Loading charts" />;
  if (!series.length) return <Empty>{emptyText}</Empty>;
  return (
    <div>
      <div className="toolbar">
        <label>
          Search charts <input value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <label>
          <input type="checkbox" checked={!!options.logScale} onChange={(e) => setOptions({ ...options, logScale: e.target.checked })} />{' '}
          Log scale
        </label>
        <label>
          Smoothing{' '}
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={options.smoothing}
            onChange={(e) => setOptions({ ...options, smoothing: Number(e.target.value) })}
            aria-label="Smoothing"
          />
        </label>
        <label>
          X axis
          <select value={options.xAxis} onChange={(e) => setOptions({ ...options, xAxis: e.target.value as 'step' | 'time' })}>
            <option value="step">step</option>
            <option value="time">time</option>
          </select>
        </label>
      </div>
      {groups.map(([namespace, list]) => (
        <section key={namespace}>
          <h3>{namespace}</h3>
          <div className="charts">
            {list.map((s) => (
              <SeriesChart key={s.name} series={s} options={options} loadRange={loadRange} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
