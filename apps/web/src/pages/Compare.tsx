import type { RunDetail, SeriesData } from '@trackbase/contracts';
import { fromWireFloat, paths } from '@trackbase/contracts';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { get } from '../api/client';
import { useResource } from '../api/hooks';
import { Chart } from '../components/Chart';
import { CompareTables } from '../components/tables/CompareTables';
import { ErrorBox, formatValue, Loading } from '../components/ui';

/** Selected runs overlaid on shared charts, and their params and summaries side by side with differences marked. */
export function ComparePage() {
  const { org = '', project = '' } = useParams();
  const [search] = useSearchParams();
  const keys = (search.get('runs') ?? '').split(',').filter(Boolean);
  const series = useResource<SeriesData[]>(
    keys.length ? `${paths.projectSeries(org, project)}?runs=${keys.join(',')}&maxPoints=1000` : null,
  );
  const [runs, setRuns] = useState<RunDetail[]>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    Promise.all(keys.map((k) => get<RunDetail>(paths.run(org, project, k))))
      .then(setRuns)
      .catch(setError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [org, project, search.get('runs')]);

  const byName = useMemo(() => {
    const map = new Map<string, SeriesData[]>();
    for (const s of series.data ?? []) map.set(s.name, [...(map.get(s.name) ?? []), s]);
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [series.data]);
  const label = (runId: string) => runs?.find((r) => r.id === runId)?.key ?? runId.slice(0, 8);

  const rows = useMemo(() => {
    if (!runs) return [];
    const names = new Set<string>();
    runs.forEach((r) => Object.keys(r.params).forEach((k) => names.add(`params.${k}`)));
    runs.forEach((r) => r.series.filter((s) => s.kind === 'metric').forEach((s) => names.add(`metrics.${s.name}`)));
    return [...names].sort().map((name) => {
      const values = runs.map((r) => {
        if (name.startsWith('params.')) return r.params[name.slice(7)];
        const s = r.series.find((x) => x.kind === 'metric' && x.name === name.slice(8));
        return s?.last === null || s?.last === undefined ? undefined : fromWireFloat(s.last);
      });
      const differs = new Set(values.map((v) => JSON.stringify(v))).size > 1;
      return { name, values, differs };
    });
  }, [runs]);

  return (
    <section>
      <h1>
        <Link to={`/${org}/${project}`}>{project}</Link> / compare {keys.join(', ')}
      </h1>
      <ErrorBox error={error ?? series.error} />
      {!runs && <Loading what="Loading runs" />}
      <div className="charts">
        {byName.map(([name, list]) => (
          <Chart
            key={name}
            title={name}
            series={list.map((s) => ({ label: label(s.runId), steps: s.steps, values: s.values, times: s.times }))}
          />
        ))}
      </div>
      {runs && (
        <table className="grid" aria-label="Differences">
          <thead>
            <tr>
              <th>Field</th>
              {runs.map((r) => (
                <th key={r.id}>
                  <Link to={`/${org}/${project}/runs/${r.key}`}>{r.key}</Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name} className={row.differs ? 'differs' : ''}>
                <td>
                  <code>{row.name}</code>
                </td>
                {row.values.map((v, i) => (
                  <td key={i}>{formatValue(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CompareTables org={org} project={project} runs={keys} />
    </section>
  );
}
