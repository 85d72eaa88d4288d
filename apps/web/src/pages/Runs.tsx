import type { Project, RunColumnList, RunColumnType, RunList, RunRow, SavedView, SavedViewList, ViewState } from '@trackbase/contracts';
import { paths, PROJECT_ROLE_PERMISSIONS, ProjectPermission } from '@trackbase/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { get } from '../api/client';
import { useResource } from '../api/hooks';
import { useFollow } from '../live/socket';
import { Empty, ErrorBox, StateBadge } from '../components/ui';
import { CommentsPanel } from '../components/Comments';
import { ReadmeCard } from '../components/Readme';
import { parseLayout } from '../panels/layout';
import { ProjectPanels } from '../panels/ProjectPanels';
import { useStoredLayout } from '../panels/useStoredLayout';
import { FirstRunCode } from '../components/FirstRunCode';
import { ProjectNav } from '../components/ProjectNav';
import { QuickFilters } from '../components/QuickFilters';
import { ColumnPicker } from './runs/ColumnPicker';
import { composeFilter } from './runs/filter-expression';
import { formatCell, formatNumber, formatRelative } from './runs/format';
import { groupKey, groupRows, groupValue, WorkspaceSelectionContext, type DisplayRow, type GroupNode } from './runs/grouping';
import { SavedViews } from './runs/SavedViews';
import { useTagVocabulary } from './runs/useTagVocabulary';

const PAGE = 1_000;
const ROW_HEIGHT = 34;
const DEFAULT_WIDTH = 140;

interface Col {
  id: string;
  label: string;
  sort: string | null;
  width: number;
  pinned: boolean;
  type?: RunColumnType;
}

/**
 * The runs table. Its view (filter, sort, columns with widths and pins) lives
 * in the URL so it can be shared, and in saved views; rows are virtualised and
 * paged through the API's cursor; new runs and state changes arrive live.
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
  const columnList = useResource<RunColumnList>(paths.runColumns(org, project));
  const columnsParam = search.get('columns');
  // Without columns in the URL the project's defaults: its most common metrics and the params that vary.
  const columns = useMemo(
    () => (columnsParam !== null ? columnsParam.split(',').filter(Boolean) : (columnList.data?.defaults ?? [])),
    [columnsParam, columnList.data],
  );
  const pinned = useMemo(() => new Set((search.get('pin') ?? '').split(',').filter(Boolean)), [search]);
  const widths = useMemo(() => parseWidths(search.get('widths')), [search]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [active, setActive] = useState(-1);
  const [showDiscussion, setShowDiscussion] = useState(false);
  const filterInput = useRef<HTMLInputElement>(null);

  const grouping = useMemo(() => (search.get('group') ?? '').split(',').filter(Boolean), [search]);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  // Grouping fields the run rows do not carry come back as columns.
  const apiColumns = [...new Set([...columns, ...grouping.filter((g) => g.startsWith('params.') || g.startsWith('metrics.'))])].filter(
    (c) => !c.startsWith('tag:'),
  );
  const query = new URLSearchParams({ limit: String(PAGE), sort });
  if (expression) query.set('filter', expression);
  if (apiColumns.length) query.set('columns', apiColumns.join(','));
  const waitForDefaults = columnsParam === null && columnList.loading && !columnList.data;
  const runsPath = waitForDefaults ? null : `${paths.runs(org, project)}?${query}`;
  const runs = useResource<RunList>(runsPath);
  const info = useResource<Project>(paths.project(org, project));
  const views = useResource<SavedViewList>(paths.views(org, project));
  const more = usePages(runsPath, runs.data);

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

  // From the latest URL, not this render's: the router applies a change in a transition, so a second
  // change can come before the first has rendered.
  function update(changes: Record<string, string | null>) {
    setSearch(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [k, v] of Object.entries(changes)) {
          if (v !== null) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  }

  function setQuick(next: { states: string[]; tags: string[] }) {
    setSearch(
      (current) => {
        const params = new URLSearchParams(current);
        params.delete('state');
        params.delete('tag');
        next.states.forEach((s) => params.append('state', s));
        next.tags.forEach((t) => params.append('tag', t));
        return params;
      },
      { replace: true },
    );
  }

  function applyFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update({ filter: String(new FormData(event.currentTarget).get('filter') ?? '').trim() || null });
  }

  function sortBy(key: string) {
    update({ sort: sort === key ? `-${key}` : key });
  }

  // The chart panels' layout: kept in this browser, saved and restored with a view.
  const [panelLayout, setPanelLayout] = useStoredLayout(`${org}/${project}`);
  const currentState = useCallback(
    (): ViewState => ({
      panels: panelLayout,
      filter: expression,
      sort,
      columns: columns.map((field) => ({
        field,
        ...(widths[field] ? { width: widths[field] } : {}),
        ...(pinned.has(field) ? { pinned: true } : {}),
      })),
      grouping,
    }),
    [expression, sort, columns, widths, pinned, grouping, panelLayout],
  );

  function loadView(view: Pick<SavedView, 'state'>) {
    const s = view.state;
    const next = new URLSearchParams();
    if (s.filter) next.set('filter', s.filter);
    if (s.sort) next.set('sort', s.sort);
    next.set('columns', s.columns.map((c) => c.field).join(','));
    const pins = s.columns.filter((c) => c.pinned).map((c) => c.field);
    if (pins.length) next.set('pin', pins.join(','));
    const w = Object.fromEntries(s.columns.filter((c) => c.width).map((c) => [c.field, c.width!]));
    if (Object.keys(w).length) next.set('widths', JSON.stringify(w));
    if (s.grouping.length) next.set('group', s.grouping.join(','));
    if (s.panels !== undefined) setPanelLayout(parseLayout(s.panels));
    setSearch(next, { replace: true });
  }

  // A project's default view opens when the URL names no view state of its own.
  const appliedDefault = useRef(false);
  useEffect(() => {
    if (appliedDefault.current || !views.data) return;
    appliedDefault.current = true;
    if (search.get('view')) return;
    const chosen = views.data.items.find((v) => v.id === views.data!.defaultViewId);
    const urlHasState = ['filter', 'sort', 'columns', 'state', 'tag'].some((k) => search.has(k));
    if (chosen && !urlHasState) loadView(chosen);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [views.data]);

  // A saved view's own URL (`?view={id}`, what live references link to) opens that view, also from this page.
  const viewParam = search.get('view');
  useEffect(() => {
    if (!views.data || !viewParam) return;
    const named = views.data.items.find((v) => v.id === viewParam);
    if (!named) return;
    appliedDefault.current = true;
    loadView(named);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [views.data, viewParam]);

  // A failed filter leaves nothing stale on screen.
  const rows = useMemo(() => (runs.error ? [] : [...(runs.data?.items ?? []), ...more.items]), [runs.error, runs.data, more.items]);
  const display: DisplayRow[] = useMemo(
    () => (grouping.length ? groupRows(rows, grouping, columns, collapsed) : rows.map((run) => ({ type: 'run', run, depth: 0 }))),
    [rows, grouping, columns, collapsed],
  );
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: display.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    scrollMargin: ROW_HEIGHT,
  });
  const items = virtual.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (rows.length && lastShown > rows.length - 100) more.loadMore();
  }, [lastShown, rows.length, more]);
  useEffect(() => {
    setSelected(new Set());
    setActive(-1);
  }, [expression]);
  const knownTags = useTagVocabulary(org, project, rows, !!expression);

  // Keyboard: `/` filter, j/k next/previous run, x select, Enter open.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      if (event.ctrlKey || event.metaKey || event.altKey || target.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.key === '/') {
        event.preventDefault();
        filterInput.current?.focus();
      } else if (event.key === 'j' || event.key === 'k') {
        const next = Math.max(0, Math.min(display.length - 1, active + (event.key === 'j' ? 1 : -1)));
        setActive(next);
        virtual.scrollToIndex(next, { align: 'auto' });
      } else if (event.key === 'x' && display[active]?.type === 'run') {
        const key = (display[active] as { run: RunRow }).run.key;
        setSelected((s) => toggle(s, key));
      } else if (event.key === 'Enter' && display[active]?.type === 'run') {
        void navigate(`/${org}/${project}/runs/${(display[active] as { run: RunRow }).run.key}`);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [display, active, virtual, navigate, org, project]);

  const types = useMemo(() => new Map((columnList.data?.columns ?? []).map((c) => [c.field, c.type])), [columnList.data]);
  // The key column is as wide as the longest key: five-digit keys are never cut.
  const keyWidth = Math.max(64, Math.max(0, ...rows.slice(0, 2_000).map((r) => r.key.length)) * 8 + 24);
  const extra: Col[] = columns.map((c) => ({
    id: c,
    label: c.replace(/^tag:/, '#'),
    sort: c.startsWith('tag:') ? null : c,
    width: widths[c] ?? DEFAULT_WIDTH,
    pinned: pinned.has(c),
    type: types.get(c.replace(/\.(last|min|max|count|step)$/, '')) === 'number' ? 'number' : types.get(c),
  }));
  const headers: Col[] = [
    { id: 'select', label: '', sort: null, width: 40, pinned: true },
    { id: 'key', label: 'Run', sort: 'number', width: keyWidth, pinned: true },
    ...extra.filter((c) => c.pinned),
    { id: 'name', label: 'Name', sort: 'name', width: widths.name ?? 220, pinned: false },
    { id: 'state', label: 'State', sort: 'state', width: 100, pinned: false },
    { id: 'fork', label: 'Forked from', sort: null, width: widths.fork ?? 200, pinned: false },
    { id: 'created_at', label: 'Created', sort: 'created_at', width: 130, pinned: false, type: 'time' },
    { id: 'tags', label: 'Tags', sort: null, width: widths.tags ?? 200, pinned: false },
    ...extra.filter((c) => !c.pinned),
  ];
  const template = headers.map((h) => `${h.width}px`).join(' ');
  const lefts = headers.reduce<number[]>((acc, h, i) => [...acc, i === 0 ? 0 : acc[i - 1]! + headers[i - 1]!.width], []);
  const stickyStyle = (i: number) => (headers[i]!.pinned ? { left: lefts[i] } : undefined);

  function resize(id: string, event: ReactPointerEvent<HTMLSpanElement>) {
    event.preventDefault();
    const startX = event.clientX;
    const start = headers.find((h) => h.id === id)!.width;
    let width = start;
    const move = (e: PointerEvent) => {
      width = Math.max(60, Math.min(1_000, start + e.clientX - startX));
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      update({ widths: JSON.stringify({ ...widths, [id]: Math.round(width) }) });
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  const total = runs.data?.total;
  const canShare = !!info.data && PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.ViewsShare);

  const selection = useMemo(
    () => ({
      grouping,
      visibleRuns: rows,
      selectedRunKeys: [...selected],
      groupOf: (run: RunRow) => grouping.map((g) => groupValue(run, g)),
    }),
    [grouping, rows, selected],
  );
  const groupable = (columnList.data?.columns ?? []).filter(
    (c) => c.kind === 'param' || c.kind === 'tag' || ['state', 'created_by'].includes(c.field),
  );

  return (
    <WorkspaceSelectionContext.Provider value={selection}>
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
              ref={filterInput}
              name="filter"
              defaultValue={filter}
              key={filter}
              placeholder={'params.optimizer.lr > 0.001 AND metrics.loss < 0.5 AND state = "finished"   (press / to focus)'}
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
        <ErrorBox error={runs.error ?? more.error} />
        <SavedViews org={org} project={project} canShare={canShare} current={currentState} onLoad={loadView} list={views} />
        <div className="toolbar">
          <ColumnPicker list={columnList.data} chosen={columns} onChange={(next) => update({ columns: next.join(',') })} />
          <span className="muted" data-testid="run-count">
            {total
              ? `${total.exact ? '' : 'about '}${total.count.toLocaleString('en-US')} runs`
              : `${rows.length.toLocaleString('en-US')} runs`}
            {total && rows.length < total.count ? ` (${rows.length.toLocaleString('en-US')} loaded)` : ''}
          </span>
          <label>
            Group by
            <select
              value=""
              onChange={(e) => e.target.value && update({ group: [...grouping, e.target.value].join(',') })}
              aria-label="Group by"
            >
              <option value="">—</option>
              {groupable
                .filter((c) => !grouping.includes(c.field))
                .map((c) => (
                  <option key={c.field} value={c.field}>
                    {c.kind === 'tag' ? `tag ${c.name}` : c.field}
                  </option>
                ))}
            </select>
          </label>
          {grouping.map((g) => (
            <button
              key={g}
              type="button"
              className="secondary"
              aria-label={`Stop grouping by ${g}`}
              onClick={() => update({ group: grouping.filter((x) => x !== g).join(',') || null })}
            >
              {g} ×
            </button>
          ))}
          <button
            type="button"
            disabled={selected.size < 2}
            onClick={() => navigate(`/${org}/${project}/compare?runs=${[...selected].join(',')}`)}
          >
            Compare {selected.size > 0 ? `(${selected.size})` : ''}
          </button>
        </div>
        {/* Charts of the table's runs, grouped as the table is; the layout belongs to the saved view. */}
        {rows.length > 0 && (
          <ProjectPanels
            org={org}
            project={project}
            runs={rows}
            grouping={grouping}
            selected={selected}
            layout={panelLayout}
            onLayoutChange={setPanelLayout}
          />
        )}
        {!runs.data && !runs.error && (
          <div className="vtable" aria-busy="true" aria-label="Loading runs" role="status">
            {Array.from({ length: 8 }, (_, i) => (
              <div key={i} className="skeleton-row" />
            ))}
          </div>
        )}
        {runs.data && !runs.error && rows.length === 0 && (
          <Empty>{expression ? 'No run matches these filters.' : <FirstRunCode org={org} project={project} />}</Empty>
        )}
        {rows.length > 0 && (
          <div ref={scroller} className="vtable" role="table" aria-label="Runs" aria-rowcount={total?.count ?? rows.length}>
            <div className="vrow vhead" role="row" style={{ gridTemplateColumns: template }}>
              {headers.map((h, i) => (
                <span role="columnheader" key={h.id} data-col={h.id} className={h.pinned ? 'pinned' : undefined} style={stickyStyle(i)}>
                  {h.sort ? (
                    <button className="link" onClick={() => sortBy(h.sort!)} aria-label={`Sort by ${h.label}`} title={h.label}>
                      {h.label} {sort === h.sort ? '▲' : sort === `-${h.sort}` ? '▼' : ''}
                    </button>
                  ) : (
                    h.label
                  )}
                  {columns.includes(h.id) && (
                    <>
                      <button
                        className="link"
                        aria-label={`${h.pinned ? 'Unpin' : 'Pin'} column ${h.label}`}
                        title={h.pinned ? 'Unpin' : 'Pin'}
                        onClick={() => {
                          const next = new Set(pinned);
                          if (next.has(h.id)) next.delete(h.id);
                          else next.add(h.id);
                          update({ pin: [...next].join(',') || null });
                        }}
                      >
                        {h.pinned ? '⊗' : '⊕'}
                      </button>
                      <button
                        className="link"
                        aria-label={`Remove column ${h.label}`}
                        onClick={() => update({ columns: columns.filter((c) => c !== h.id).join(',') })}
                      >
                        ×
                      </button>
                    </>
                  )}
                  {h.id !== 'select' && h.id !== 'key' && (
                    <span className="resize" role="separator" aria-label={`Resize ${h.label}`} onPointerDown={(e) => resize(h.id, e)} />
                  )}
                </span>
              ))}
            </div>
            <div className="vbody" style={{ height: virtual.getTotalSize() }}>
              {items.map((item) => {
                const row = display[item.index]!;
                if (row.type === 'group')
                  return (
                    <GroupRowView
                      key={`g${groupKey(row.path)}`}
                      group={row}
                      headers={headers}
                      template={template}
                      top={item.start - ROW_HEIGHT}
                      collapsed={collapsed.has(groupKey(row.path))}
                      toggle={() => setCollapsed((s) => toggle(s, groupKey(row.path)))}
                    />
                  );
                const run = row.run;
                return (
                  <RunRowView
                    key={run.id}
                    run={run}
                    org={org}
                    project={project}
                    headers={headers}
                    sticky={stickyStyle}
                    template={template}
                    top={item.start - ROW_HEIGHT}
                    active={item.index === active}
                    selected={selected.has(run.key)}
                    toggle={() => setSelected((s) => toggle(s, run.key))}
                  />
                );
              })}
            </div>
          </div>
        )}
      </section>
    </WorkspaceSelectionContext.Provider>
  );
}

/** A group's header row: its value and size, and per numeric column mean ± std (min, max, count on hover). */
function GroupRowView(props: { group: GroupNode; headers: Col[]; template: string; top: number; collapsed: boolean; toggle: () => void }) {
  const g = props.group;
  return (
    <div className="vrow group" role="row" style={{ gridTemplateColumns: props.template, transform: `translateY(${props.top}px)` }}>
      {props.headers.map((h, i) => {
        if (i === 0)
          return (
            <span role="cell" key={h.id} style={{ gridColumn: 'span 3', paddingLeft: `${g.depth}rem` }}>
              <button className="link" aria-expanded={!props.collapsed} onClick={props.toggle}>
                {props.collapsed ? '▸' : '▾'} {g.field} = {g.value}
              </button>{' '}
              <span className="muted">({g.runs.length} runs)</span>
            </span>
          );
        if (i < 3) return null;
        const a = g.aggregates[h.id];
        return (
          <span role="cell" key={h.id} title={a ? `mean ${a.mean}, std ${a.std}, min ${a.min}, max ${a.max}, count ${a.count}` : undefined}>
            {a ? `${formatNumber(a.mean)} ± ${formatNumber(a.std)}` : ''}
          </span>
        );
      })}
    </div>
  );
}

/** Pages after the first, fetched by cursor as the table scrolls; reset when the query changes. */
function usePages(path: string | null, first: RunList | undefined) {
  const [state, setState] = useState<{ path: string | null; items: RunRow[]; cursor: string | null; error?: Error }>({
    path: null,
    items: [],
    cursor: null,
  });
  const loading = useRef(false);
  const current = state.path === path ? state : { path, items: [] as RunRow[], cursor: first?.nextCursor ?? null };
  const cursor = state.path === path ? state.cursor : (first?.nextCursor ?? null);
  const loadMore = useCallback(() => {
    if (!path || !cursor || loading.current) return;
    loading.current = true;
    get<RunList>(`${path}&cursor=${encodeURIComponent(cursor)}`)
      .then((page) =>
        setState((s) => {
          const base = s.path === path ? s.items : [];
          const seen = new Set([...(first?.items ?? []), ...base].map((r) => r.id));
          return { path, items: [...base, ...page.items.filter((r) => !seen.has(r.id))], cursor: page.nextCursor };
        }),
      )
      .catch((error: Error) => setState((s) => ({ ...s, path, error })))
      .finally(() => (loading.current = false));
  }, [path, cursor, first]);
  return useMemo(
    () => ({ items: current.items, error: state.path === path ? state.error : undefined, loadMore }),
    [current.items, state, path, loadMore],
  );
}

function parseWidths(text: string | null): Record<string, number> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, number>) : {};
  } catch {
    return {};
  }
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
  headers: Col[];
  sticky: (i: number) => { left: number } | undefined;
  template: string;
  top: number;
  active: boolean;
  selected: boolean;
  toggle: () => void;
}) {
  const { run } = props;
  const cell = (h: Col) => {
    switch (h.id) {
      case 'select':
        return <input type="checkbox" aria-label={`Select ${run.key}`} checked={props.selected} onChange={props.toggle} />;
      case 'key':
        return <Link to={`/${props.org}/${props.project}/runs/${run.key}`}>{run.key}</Link>;
      case 'name':
        return <span title={run.name}>{run.name}</span>;
      case 'state':
        return <StateBadge state={run.state} />;
      case 'fork': {
        if (!run.fork) return null;
        const home = run.fork.project ?? props.project;
        const label = run.fork.project ? `${run.fork.project}/${run.fork.key}` : run.fork.key;
        return (
          <Link
            className="fork-badge"
            data-testid="forked-from-cell"
            to={`/${props.org}/${home}/runs/${run.fork.key}`}
            title={`forked from ${label} at step ${run.fork.step}`}
          >
            ↳ {label} @ {run.fork.step}
          </Link>
        );
      }
      case 'created_at':
        return <span title={new Date(run.createdAt).toLocaleString()}>{formatRelative(run.createdAt)}</span>;
      case 'tags':
        return run.tags.map((t) => (
          <span key={t} className="tag" title={t}>
            {t}
          </span>
        ));
      default:
        if (h.id.startsWith('tag:')) return run.tags.includes(h.id.slice(4)) ? '✓' : '';
        return formatCell(h.type, run.columns[h.id]);
    }
  };
  return (
    <div
      className={`vrow${props.active ? ' active' : ''}`}
      role="row"
      aria-selected={props.selected}
      style={{ gridTemplateColumns: props.template, transform: `translateY(${props.top}px)` }}
    >
      {props.headers.map((h, i) => (
        <span
          role="cell"
          key={h.id}
          className={[h.pinned ? 'pinned' : '', h.id === 'tags' ? 'tags' : ''].join(' ').trim() || undefined}
          style={props.sticky(i)}
          title={h.id === 'tags' ? run.tags.join(', ') : undefined}
        >
          {cell(h)}
        </span>
      ))}
    </div>
  );
}
