import type { RunDetail } from '@trackbase/contracts';
import { fromWireFloat, paths } from '@trackbase/contracts';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { get } from '../api/client';
import { naturalCompare } from '../charts/format';
import { runColor } from '../charts/palette';
import { CompareTables } from '../components/tables/CompareTables';
import { ErrorBox, formatValue, Loading } from '../components/ui';
import { MediaPanel } from '../components/media/MediaPanel';
import { PanelArea } from '../panels/PanelArea';
import { useStoredLayout } from '../panels/useStoredLayout';
import { reportsApi, unwrap } from '../reports/api';
import { reportFromCompare } from '../reports/from-compare';

/**
 * Selected runs overlaid on shared charts (the panel area: lazy, batched, log
 * scale and smoothing), and their params and summaries side by side, the fields
 * that differ first, in natural order.
 */
export function ComparePage() {
  const { org = '', project = '' } = useParams();
  const [search] = useSearchParams();
  const keysParam = search.get('runs') ?? '';
  const keys = useMemo(() => keysParam.split(',').filter(Boolean), [keysParam]);
  const [runs, setRuns] = useState<RunDetail[]>();
  const [error, setError] = useState<Error>();
  const [onlyDiffering, setOnlyDiffering] = useState(false);
  const [groupBy, setGroupBy] = useState('');
  const [layout, setLayout] = useStoredLayout(`${org}/${project}/compare`);
  const [allRows, setAllRows] = useState(false);
  const navigate = useNavigate();
  const [savingReport, setSavingReport] = useState(false);
  useEffect(() => {
    // Two at a time: the browser's few connections stay free for the charts' requests.
    let cancelled = false;
    const details: RunDetail[] = new Array(keys.length);
    let next = 0;
    const worker = async () => {
      while (next < keys.length && !cancelled) {
        const i = next++;
        details[i] = await get<RunDetail>(paths.run(org, project, keys[i]!));
      }
    };
    Promise.all([worker(), worker()])
      .then(() => !cancelled && setRuns(details))
      .catch((e: Error) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
  }, [org, project, keys]);

  // Charts need only the keys: they start at once, not after the details of every run.
  const chartRuns = useMemo(
    () =>
      keys.map((key) => {
        const detail = runs?.find((r) => r.key === key);
        return { id: detail?.id ?? '', key, name: detail?.name ?? key, number: detail?.number ?? runNumber(key) };
      }),
    // Ids are resolved by the panel area itself; details only refine names.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [keys],
  );

  const rows = useMemo(() => {
    if (!runs) return [];
    const names = new Set<string>();
    runs.forEach((r) => Object.keys(r.params).forEach((k) => names.add(`params.${k}`)));
    runs.forEach((r) => r.series.filter((s) => s.kind === 'metric').forEach((s) => names.add(`metrics.${s.name}`)));
    const all = [...names].sort(naturalCompare).map((name) => {
      const values = runs.map((r) => {
        if (name.startsWith('params.')) return r.params[name.slice(7)];
        const s = r.series.find((x) => x.kind === 'metric' && x.name === name.slice(8));
        return s?.last === null || s?.last === undefined ? undefined : fromWireFloat(s.last);
      });
      const differs = new Set(values.map((v) => JSON.stringify(v))).size > 1;
      return { name, values, differs, param: name.startsWith('params.') };
    });
    // What differs first (params before metrics), then what is the same.
    const rank = (r: (typeof all)[number]) => (r.differs ? 0 : 2) + (r.param ? 0 : 1);
    return all.sort((a, b) => rank(a) - rank(b) || naturalCompare(a.name, b.name));
  }, [runs]);
  const paramNames = useMemo(() => [...new Set((runs ?? []).flatMap((r) => Object.keys(r.params)))].sort(naturalCompare), [runs]);
  const filteredRows = onlyDiffering ? rows.filter((r) => r.differs) : rows;
  // Many runs × many fields is thousands of cells: the first rows at once, the rest on request.
  const shownRows = allRows ? filteredRows : filteredRows.slice(0, 30);

  async function saveAsReport() {
    if (!runs) return;
    setSavingReport(true);
    try {
      const metrics = [...new Set(runs.flatMap((r) => r.series.filter((s) => s.kind === 'metric').map((s) => s.name)))].sort(
        naturalCompare,
      );
      const report = await unwrap(reportsApi.createReport(org, reportFromCompare(project, keys, metrics, layout)));
      void navigate(`/${org}/reports/${report.id}?edit=1`);
    } catch (e) {
      setError(e as Error);
      setSavingReport(false);
    }
  }

  return (
    <section>
      <h1>
        <Link to={`/${org}/${project}`}>{project}</Link> / compare {keys.length} runs
      </h1>
      <ErrorBox error={error} />
      <div className="toolbar">
        <label>
          Group runs by
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value)} aria-label="Group runs by">
            <option value="">(no grouping)</option>
            {paramNames.map((p) => (
              <option key={p} value={`params.${p}`}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <span className="grow" />
        <button type="button" onClick={() => void saveAsReport()} disabled={!runs || savingReport}>
          Save as report
        </button>
      </div>
      <PanelArea
        org={org}
        project={project}
        runs={chartRuns}
        grouping={groupBy ? [groupBy] : undefined}
        layout={layout}
        onLayoutChange={setLayout}
        maxPoints={300}
      />
      {!runs && <Loading what="Loading runs" />}
      {runs && (
        <>
          <h2>Media</h2>
          <MediaPanel
            org={org}
            project={project}
            runs={runs.map((r) => ({ id: r.id, key: r.key }))}
            axis={layout.media?.axis}
            onAxisChange={(axis) => setLayout({ ...layout, media: { axis } })}
          />
        </>
      )}
      {runs && (
        <>
          <div className="toolbar">
            <label>
              <input type="checkbox" checked={onlyDiffering} onChange={(e) => setOnlyDiffering(e.target.checked)} /> Only fields that differ
            </label>
          </div>
          <div className="table-scroll">
            <table className="grid" aria-label="Differences">
              <thead>
                <tr>
                  <th>Field</th>
                  {runs.map((r) => (
                    <th key={r.id}>
                      <i className="swatch" style={{ background: runColor(r) }} />
                      <Link to={`/${org}/${project}/runs/${r.key}`}>{r.key}</Link>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shownRows.map((row) => (
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
          </div>
          {shownRows.length < filteredRows.length && (
            <button className="secondary" onClick={() => setAllRows(true)}>
              Show all {filteredRows.length} fields
            </button>
          )}
        </>
      )}
      <CompareTables org={org} project={project} runs={keys} />
    </section>
  );
}

function runNumber(key: string): number | undefined {
  const n = Number(key.slice(key.lastIndexOf('-') + 1));
  return Number.isInteger(n) ? n : undefined;
}
