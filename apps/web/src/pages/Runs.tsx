import type { Project, RunList, RunRow } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useResource } from '../api/hooks';
import { useFollow } from '../live/socket';
import { Empty, ErrorBox, formatTime, formatValue, Loading, StateBadge } from '../components/ui';
import { CommentsPanel } from '../components/Comments';
import { FirstRunCode } from '../components/FirstRunCode';
import { ProjectNav } from '../components/ProjectNav';
import { ReadmeCard } from '../components/Readme';
import { QuickFilters } from '../components/QuickFilters';
import { PROJECT_ROLE_PERMISSIONS, ProjectPermission } from '@trackbase/contracts';
import { composeFilter } from './runs/filter-expression';
import { useTagVocabulary } from './runs/useTagVocabulary';
import { ProjectPanels } from '../panels/ProjectPanels';

const FIXED = [
  { id: 'key', label: 'Run', sort: 'number' },
  { id: 'name', label: 'Name', sort: 'name' },
  { id: 'state', label: 'State', sort: 'state' },
  { id: 'created_at', label: 'Created', sort: 'created_at' },
  { id: 'tags', label: 'Tags', sort: null },
] as const;

/**
 * The runs table. Its view (filter, sort, extra columns) lives in the URL so it
 * can be shared; rows are virtualised; new runs and state changes arrive live.
 */
export function RunsPage() {
  const { org = '', project = '' } = useParams();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const filter = search.get('filter') ?? '';
  const states = useMemo(() => search.getAll('state'), [search]);
  const tags = useMemo(() => search.getAll('tag'), [search]);
  const expression = composeFilter(filter, states, tags);
  const sort = search.get('sort') ?? '-created_at';
  const columns = useMemo(() => (search.get('columns') ?? '').split(',').filter(Boolean), [search]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [showDiscussion, setShowDiscussion] = useState(false);

  const query = new URLSearchParams({ limit: '1000', sort });
  if (expression) query.set('filter', expression);
  if (columns.length) query.set('columns', columns.join(','));
  const runs = useResource<RunList>(`${paths.runs(org, project)}?${query}`);
  const info = useResource<Project>(paths.project(org, project));

  const reloadSoon = useRef<number | undefined>(undefined);
  useFollow(
    { org, project },
    {
      onRunChanged: () => {
        window.clearTimeout(reloadSoon.current);
        reloadSoon.current = window.setTimeout(runs.reload, 300);
      },
    },
  );

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setSearch(next, { replace: true });
  }

  function setQuick(next: { states: string[]; tags: string[] }) {
    const params = new URLSearchParams(search);
    params.delete('state');
    params.delete('tag');
    next.states.forEach((s) => params.append('state', s));
    next.tags.forEach((t) => params.append('tag', t));
    setSearch(params, { replace: true });
  }

  function applyFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update({ filter: String(new FormData(event.currentTarget).get('filter') ?? '').trim() || null });
  }

  function addColumn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const column = String(new FormData(form).get('column') ?? '').trim();
    if (column && !columns.includes(column)) update({ columns: [...columns, column].join(',') });
    form.reset();
  }

  function sortBy(key: string) {
    update({ sort: sort === key ? `-${key}` : key });
  }

  const rows = runs.data?.items ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 34, overscan: 20 });
  useEffect(() => setSelected(new Set()), [expression]);
  const knownTags = useTagVocabulary(org, project, rows, !!expression);

  const headers = [
    ...FIXED.map((c) => ({ id: c.id, label: c.label, sort: c.sort as string | null })),
    ...columns.map((c) => ({ id: c, label: c, sort: c })),
  ];
  // Rows are grids of their own, so widths are fixed: wide enough for the header, its sort arrow and ×.
  const template = `2.5rem 6rem 14rem 7rem 12rem 10rem ${columns.map((c) => `${Math.min(20, Math.max(9, c.length * 0.62 + 3)).toFixed(1)}rem`).join(' ')}`;

  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}`}>{org}</Link> / {info.data?.name ?? project}
        </h1>
        <div className="title-actions">
          <button className="link" onClick={() => setShowDiscussion((v) => !v)} aria-expanded={showDiscussion}>
            Discussion
          </button>
          <ProjectNav org={org} project={project} />
        </div>
      </div>
      {showDiscussion && info.data && (
        <CommentsPanel
          org={org}
          project={project}
          canWrite={PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.CommentsWrite)}
          canModerate={PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.Update)}
        />
      )}
      {info.data && (
        <ReadmeCard
          path={paths.projectReadme(org, project)}
          scope={{ org, project }}
          canWrite={PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.RunsWrite)}
          label="Project README"
        />
      )}
      <form className="filter" onSubmit={applyFilter} role="search" aria-label="Filter runs">
        <label className="grow">
          <span className="sr-only">Filter</span>
          <input
            name="filter"
            defaultValue={filter}
            key={filter}
            placeholder={'params.optimizer.lr > 0.001 AND metrics.loss < 0.5 AND state = "finished"'}
          />
        </label>
        <button type="submit">Filter</button>
        {filter && (
          <button type="button" className="secondary" onClick={() => update({ filter: null })}>
            Clear
          </button>
        )}
      </form>
      <QuickFilters states={states} tags={tags} knownTags={knownTags} onChange={setQuick} />
      <ErrorBox error={runs.error} />
      <div className="toolbar">
        <form onSubmit={addColumn} className="inline" aria-label="Add column">
          <label>
            Column
            <input name="column" placeholder="params.lr or metrics.loss.min" />
          </label>
          <button type="submit" className="secondary">
            Add column
          </button>
        </form>
        <span className="muted">{rows.length} runs</span>
        <button
          type="button"
          disabled={selected.size < 2}
          onClick={() => navigate(`/${org}/${project}/compare?runs=${[...selected].join(',')}`)}
        >
          Compare {selected.size > 0 ? `(${selected.size})` : ''}
        </button>
      </div>
      {/* Charts of the table's runs (panels/); grouping and saved-view layout are wired by the table. */}
      {rows.length > 0 && <ProjectPanels org={org} project={project} runs={rows} selected={selected} />}
      {runs.loading && !runs.data && <Loading what="Loading runs" />}
      {runs.data && rows.length === 0 && (
        <Empty>{expression ? 'No run matches these filters.' : <FirstRunCode org={org} project={project} />}</Empty>
      )}
      {rows.length > 0 && (
        <div className="vtable" role="table" aria-label="Runs" aria-rowcount={rows.length}>
          <div className="vrow vhead" role="row" style={{ gridTemplateColumns: template }}>
            <span role="columnheader" />
            {headers.map((h) => (
              <span role="columnheader" key={h.id}>
                {h.sort ? (
                  <button className="link" onClick={() => sortBy(h.sort!)} aria-label={`Sort by ${h.label}`}>
                    {h.label} {sort === h.sort ? '▲' : sort === `-${h.sort}` ? '▼' : ''}
                  </button>
                ) : (
                  h.label
                )}
                {columns.includes(h.id) && (
                  <button
                    className="link"
                    aria-label={`Remove column ${h.label}`}
                    onClick={() => update({ columns: columns.filter((c) => c !== h.id).join(',') || null })}
                  >
                    ×
                  </button>
                )}
              </span>
            ))}
          </div>
          <div ref={scroller} className="vbody">
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {virtual.getVirtualItems().map((item) => {
                const run = rows[item.index]!;
                return (
                  <RunRowView
                    key={run.id}
                    run={run}
                    org={org}
                    project={project}
                    columns={columns}
                    template={template}
                    top={item.start}
                    selected={selected.has(run.key)}
                    toggle={() => setSelected((s) => toggle(s, run.key))}
                  />
                );
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

function toggle(set: Set<string>, key: string): Set<string> {
  const next = new Set(set);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}

function RunRowView(props: {
  run: RunRow;
  org: string;
  project: string;
  columns: string[];
  template: string;
  top: number;
  selected: boolean;
  toggle: () => void;
}) {
  const { run } = props;
  return (
    <div className="vrow" role="row" style={{ gridTemplateColumns: props.template, transform: `translateY(${props.top}px)` }}>
      <span role="cell">
        <input type="checkbox" aria-label={`Select ${run.key}`} checked={props.selected} onChange={props.toggle} />
      </span>
      <span role="cell">
        <Link to={`/${props.org}/${props.project}/runs/${run.key}`}>{run.key}</Link>
      </span>
      <span role="cell">{run.name}</span>
      <span role="cell">
        <StateBadge state={run.state} />
      </span>
      <span role="cell">{formatTime(run.createdAt)}</span>
      <span role="cell" className="tags">
        {run.tags.map((t) => (
          <span key={t} className="tag">
            {t}
          </span>
        ))}
      </span>
      {props.columns.map((c) => (
        <span role="cell" key={c}>
          {formatValue(run.columns[c])}
        </span>
      ))}
    </div>
  );
}
