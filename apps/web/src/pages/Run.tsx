import type { RunDetail, SeriesData } from '@trackbase/contracts';
import { paths, PROJECT_ROLE_PERMISSIONS, ProjectPermission, type Project } from '@trackbase/contracts';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { patch } from '../api/client';
import { useResource } from '../api/hooks';
import { useFollow } from '../live/socket';
import { Empty, ErrorBox, formatTime, formatValue, Loading, StateBadge } from '../components/ui';
import { ChartGrid, useRunSeries } from './RunCharts';
import { CommentsPanel } from '../components/Comments';

const TABS = ['overview', 'charts', 'system', 'params', 'context', 'console', 'lineage', 'comments'] as const;
type Tab = (typeof TABS)[number];

export function RunPage() {
  const { org = '', project = '', run = '' } = useParams();
  const [tab, setTab] = useState<Tab>('overview');
  const detail = useResource<RunDetail>(paths.run(org, project, run));
  const info = useResource<Project>(paths.project(org, project));
  const canWrite = !!info.data && PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.RunsWrite);
  const metrics = useRunSeries(org, project, detail.data?.id, 'metric');
  const system = useRunSeries(org, project, detail.data?.id, 'system');

  useFollow(detail.data ? { org, project, runs: [detail.data.id] } : null, {
    onPoints: (event) => {
      metrics.append(event);
      system.append(event);
    },
    onRunChanged: () => detail.reload(),
  });

  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what="Loading run" />;
  const r = detail.data;
  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}/${project}`}>{project}</Link> / {r.key} <span className="muted">{r.name}</span> <StateBadge state={r.state} />
        </h1>
      </div>
      <nav className="tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </nav>
      {tab === 'overview' && <Overview run={r} canWrite={canWrite} onSaved={detail.reload} org={org} project={project} />}
      {tab === 'charts' && <ChartGrid series={metrics.series} error={metrics.error} emptyText="No metrics logged yet." />}
      {tab === 'system' && <ChartGrid series={system.series} error={system.error} emptyText="No system metrics logged." />}
      {tab === 'params' && <ParamsView params={r.params} />}
      {tab === 'context' && <pre className="code">{JSON.stringify(r.context, null, 2)}</pre>}
      {tab === 'console' && <ConsoleView org={org} project={project} run={r.id} />}
      {tab === 'lineage' && <IoView run={r} org={org} project={project} />}
      {tab === 'comments' && (
        <CommentsPanel org={org} project={project} run={r.key} canWrite={!!info.data && PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.CommentsWrite)} canModerate={!!info.data && PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.Update)} />
      )}
    </section>
  );
}

function Overview({ run, canWrite, onSaved, org, project }: { run: RunDetail; canWrite: boolean; onSaved: () => void; org: string; project: string }) {
  const [error, setError] = useState<Error | null>(null);
  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await patch(paths.run(org, project, run.key), {
        description: String(form.get('description')),
        notes: String(form.get('notes')),
        tags: String(form.get('tags')).split(',').map((t) => t.trim()).filter(Boolean),
      });
      onSaved();
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <div className="two-col">
      <dl className="facts">
        <dt>State</dt>
        <dd>{run.state}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(run.endedAt)}</dd>
        <dt>Last heartbeat</dt>
        <dd>{formatTime(run.heartbeatAt)}</dd>
        <dt>External id</dt>
        <dd>{run.externalId ?? '—'}</dd>
        <dt>Series</dt>
        <dd>{run.series.length}</dd>
      </dl>
      {canWrite ? (
        <form onSubmit={save} className="card" aria-label="Edit run">
          <label>
            Tags (comma-separated)
            <input name="tags" defaultValue={run.tags.join(', ')} />
          </label>
          <label>
            Description
            <input name="description" defaultValue={run.description} />
          </label>
          <label>
            Notes
            <textarea name="notes" rows={6} defaultValue={run.notes} />
          </label>
          <button type="submit">Save</button>
          <ErrorBox error={error} />
        </form>
      ) : (
        <div className="card">
          <p>
            <strong>Tags:</strong> {run.tags.join(', ') || '—'}
          </p>
          <p>{run.description}</p>
          <pre className="notes">{run.notes}</pre>
        </div>
      )}
      <table className="grid">
        <thead>
          <tr>
            <th>Series</th>
            <th>Kind</th>
            <th>Last</th>
            <th>Min</th>
            <th>Max</th>
            <th>Points</th>
          </tr>
        </thead>
        <tbody>
          {run.series.map((s) => (
            <tr key={`${s.kind}:${s.name}`}>
              <td>{s.name}</td>
              <td>{s.kind}</td>
              <td>{formatValue(s.last)}</td>
              <td>{formatValue(s.min)}</td>
              <td>{formatValue(s.max)}</td>
              <td>{s.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ParamsView({ params }: { params: Record<string, unknown> }) {
  const [query, setQuery] = useState('');
  const entries = useMemo(
    () => Object.entries(params).filter(([k, v]) => !query || k.toLowerCase().includes(query.toLowerCase()) || formatValue(v).toLowerCase().includes(query.toLowerCase())).sort(([a], [b]) => a.localeCompare(b)),
    [params, query],
  );
  if (!Object.keys(params).length) return <Empty>No parameters logged.</Empty>;
  return (
    <div>
      <label>
        Search parameters <input value={query} onChange={(e) => setQuery(e.target.value)} />
      </label>
      <table className="grid">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <td style={{ paddingLeft: `${(k.split('.').length - 1) * 1.2 + 0.5}rem` }}>
                <code>{k}</code>
              </td>
              <td>{formatValue(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConsoleView({ org, project, run }: { org: string; project: string; run: string }) {
  const [search, setSearch] = useState('');
  const path = `${paths.runSeries(org, project, run)}?kind=text&maxPoints=5000${search ? `&search=${encodeURIComponent(search)}` : ''}`;
  const text = useResource<SeriesData[]>(path);
  return (
    <div>
      <label>
        Search output <input value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <ErrorBox error={text.error} />
      {text.data?.length === 0 && <Empty>No console output captured.</Empty>}
      {text.data?.map((s) => (
        <section key={s.name}>
          <h3>{s.name}</h3>
          <pre className="console">{(s.lines ?? []).join('\n')}</pre>
        </section>
      ))}
    </div>
  );
}

interface LineageGraph {
  nodes: Array<{ id: string; type: string; run?: { key: string; name: string; state: string }; asset?: { kind: string; name: string; version: string } }>;
  edges: Array<{ from: string; to: string; kind: string }>;
}

/** Inputs and outputs of the run, and the runs upstream and downstream of it through them. */
function IoView({ run, org, project }: { run: RunDetail; org: string; project: string }) {
  const graph = useResource<LineageGraph>(`${paths.lineage(org, project)}?run=${encodeURIComponent(run.key)}&direction=both&depth=4`);
  const related = (graph.data?.nodes ?? []).filter((n) => n.run && n.run.key !== run.key);
  const render = (list: RunDetail['inputs']) =>
    list.length ? (
      <ul className="list">
        {list.map((a) => (
          <li key={String(a.id)}>
            <strong>{String(a.kind)}</strong> {String(a.name)}@{String(a.version)} <span className="muted">{String(a.uri ?? '')}</span>
          </li>
        ))}
      </ul>
    ) : (
      <p className="muted">None</p>
    );
  return (
    <div className="two-col">
      <div>
        <h3>Inputs</h3>
        {render(run.inputs)}
      </div>
      <div>
        <h3>Outputs</h3>
        {render(run.outputs)}
      </div>
      <div>
        <h3>Related runs</h3>
        <ErrorBox error={graph.error} />
        {related.length ? (
          <ul className="list">
            {related.map((n) => (
              <li key={n.id}>
                <Link to={`/${org}/${project}/runs/${n.run!.key}`}>{n.run!.key}</Link> {n.run!.name} <StateBadge state={n.run!.state} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No runs share a dataset or model with this one.</p>
        )}
      </div>
    </div>
  );
}

