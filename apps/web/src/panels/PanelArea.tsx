import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import { rectSortingStrategy, SortableContext, sortableKeyboardCoordinates, useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { naturalCompare } from '../charts/format';
import { ChartSync } from '../charts/sync';
import { ErrorBox } from '../components/ui';
import { movePanel } from './arrange';
import { groupValue, useAreaData, type AreaData, type PanelRun } from './data';
import {
  DEFAULT_PANEL,
  namespaceOf,
  PANEL_WIDTHS,
  panelId,
  panelMetrics,
  panelTitle,
  parseLayout,
  type Panel,
  type PanelLayout,
  type Section,
} from './layout';
import { LinePanel, type Grouped } from './LinePanel';
import { BarPanel, ImportancePanel, ParallelPanel, ScatterPanel } from './SummaryPanels';
import { PanelToolbar } from './PanelToolbar';

export interface PanelAreaProps {
  org: string;
  project: string;
  /** The runs the table shows, in table order. */
  runs: PanelRun[];
  /** Fields the table groups by (`params.optimizer`, `state`, a column id); grouped runs draw as mean with a band. */
  grouping?: string[];
  /** Run ids or keys selected in the table; when any, only those are charted. */
  selected?: Iterable<string>;
  /** The layout (JSON, the `panels` of a saved view); kept internally when omitted. */
  layout?: unknown;
  onLayoutChange?: (layout: PanelLayout) => void;
  kind?: 'metric' | 'system';
  live?: boolean;
  maxPoints?: number;
  /** Derived sections: one line panel per metric (default), or none (only the layout's own sections). */
  derive?: boolean;
}

/**
 * The panel area: sections of chart panels over a set of runs, searchable by
 * name or /regex/, with panels added, removed, resized and moved. Panels render
 * and load only when scrolled into view, so 2,000 metrics open as fast as 20.
 */
export function PanelArea(props: PanelAreaProps) {
  const { org, project, grouping = [], kind = 'metric', live = true, maxPoints = 400, derive = true } = props;
  const [ownLayout, setOwnLayout] = useState<PanelLayout>(() => parseLayout(props.layout));
  const layout = useMemo(() => (props.layout === undefined ? ownLayout : parseLayout(props.layout)), [props.layout, ownLayout]);
  const setLayout = useCallback(
    (next: PanelLayout) => {
      setOwnLayout(next);
      props.onLayoutChange?.(next);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [props.onLayoutChange],
  );

  const selected = useMemo(() => new Set(props.selected ?? []), [props.selected]);
  const runs = useMemo(
    () => (selected.size ? props.runs.filter((r) => selected.has(r.id) || selected.has(r.key)) : props.runs),
    [props.runs, selected],
  );
  // Wall times travel only when a chart is drawn against them; summaries only for the panels that draw them.
  const times = layout.settings.x !== 'step' || layout.sections.some((s) => s.panels.some((p) => p.type === 'line' && p.x !== 'step'));
  const summaryNames = useMemo(
    () => layout.sections.flatMap((s) => s.panels.flatMap((p) => (p.type === 'line' ? [] : [p.metric]))),
    [layout.sections],
  );
  const data = useAreaData(org, project, runs, kind, maxPoints, live, { times, summaryNames });
  const charted = data.runs;
  const sync = useMemo(() => new ChartSync(), []);
  const [search, setSearch] = useState('');

  const grouped: Grouped = useMemo(() => {
    if (!grouping.length) return { groups: null };
    const groups = new Map<string, PanelRun[]>();
    for (const run of charted) {
      const label = grouping.map((g) => groupValue(run, data.params.get(run.id), g)).join(' · ');
      groups.set(label, [...(groups.get(label) ?? []), run]);
    }
    return { groups: [...groups.entries()].map(([label, members]) => ({ label, runs: members })) };
  }, [grouping.join(','), charted, data.params]); // eslint-disable-line react-hooks/exhaustive-deps

  const sections = useMemo(() => allSections(layout, data.names, derive), [layout, data.names, derive]);
  const sectionNames = useMemo(() => sections.map((s) => s.name), [sections]);
  const matcher = useMemo(() => searchMatcher(search), [search]);

  const edit = (sectionName: string, change: (panels: Panel[]) => Panel[]) => {
    const existing = layout.sections.find((s) => s.name === sectionName);
    const base = existing ?? sections.find((s) => s.name === sectionName)!;
    const updated: Section = { ...base, panels: change(base.panels) };
    setLayout({
      ...layout,
      sections: existing ? layout.sections.map((s) => (s.name === sectionName ? updated : s)) : [...layout.sections, updated],
    });
  };

  const addPanel = (sectionName: string, panel: Panel) => {
    if (!sections.some((s) => s.name === sectionName)) {
      setLayout({ ...layout, sections: [{ id: panelId(), name: sectionName, panels: [panel] }, ...layout.sections] });
    } else edit(sectionName, (panels) => [...panels, panel]);
  };

  const toggle = (name: string) =>
    setLayout({
      ...layout,
      collapsed: layout.collapsed.includes(name) ? layout.collapsed.filter((n) => n !== name) : [...layout.collapsed, name],
    });

  const removeSection = (name: string) =>
    setLayout({ ...layout, sections: layout.sections.filter((s) => s.name !== name), hidden: [...layout.hidden, name] });

  // Drag and drop by a panel's handle (pointer, or keyboard: Space to lift, arrows to move, Space to drop): onto a
  // panel to take its place, onto a section (collapsed or empty too) to go last in it.
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const moveTo = (id: string, to: string, index = Number.MAX_SAFE_INTEGER) => {
    const next = movePanel(layout, sections, id, to, index);
    if (next !== layout) setLayout(next);
  };
  // Arrow keys step from panel to panel: the sections (large targets) would catch every step, so a keyboard drag
  // leaves them out.
  const [keyboardDrag, setKeyboardDrag] = useState(false);
  const onDragStart = ({ activatorEvent }: DragStartEvent) => setKeyboardDrag(activatorEvent instanceof KeyboardEvent);
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setKeyboardDrag(false);
    if (!over) return;
    const overId = String(over.id);
    if (overId.startsWith(SECTION_DROP)) return moveTo(String(active.id), overId.slice(SECTION_DROP.length));
    const target = sections.find((sec) => sec.panels.some((p) => p.id === overId));
    if (target)
      moveTo(
        String(active.id),
        target.name,
        target.panels.findIndex((p) => p.id === overId),
      );
  };

  return (
    <div className="panel-area" aria-label="Charts">
      <PanelToolbar
        layout={layout}
        setLayout={setLayout}
        search={search}
        setSearch={setSearch}
        metricNames={data.names}
        paramNames={data.paramNames}
        sections={sections.map((s) => s.name)}
        onAdd={addPanel}
        grouped={!!grouped.groups}
      />
      <ErrorBox error={data.error} />
      {data.loading && !data.names.length && <div className="skeleton" aria-busy="true" style={{ height: 240 }} />}
      {!data.loading && !data.names.length && !layout.sections.length && (
        <p className="muted">{runs.length ? 'These runs have logged no metrics yet.' : 'No runs to chart.'}</p>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setKeyboardDrag(false)}
      >
        {sections.map((section) => {
          const panels = section.panels.filter((p) => !matcher || matcher(panelTitle(p)) || panelMetrics(p).some(matcher));
          if (matcher && !panels.length) return null;
          const collapsed = layout.collapsed.includes(section.name);
          return (
            <SectionDrop key={section.name} name={section.name} disabled={keyboardDrag}>
              <header className="panel-section-head">
                <button className="link" onClick={() => toggle(section.name)} aria-expanded={!collapsed}>
                  {collapsed ? '▶' : '▼'} {section.name}
                </button>
                <span className="muted">{panels.length} panels</span>
                <button className="link" aria-label={`Remove section ${section.name}`} onClick={() => removeSection(section.name)}>
                  remove
                </button>
              </header>
              {!collapsed && (
                <SortableContext items={panels.map((p) => p.id)} strategy={rectSortingStrategy}>
                  <div className="panel-grid">
                    {panels.map((panel) => (
                      <PanelFrame
                        key={panel.id}
                        panel={panel}
                        section={section.name}
                        sections={sectionNames}
                        onChange={(next) => edit(section.name, (list) => list.map((p) => (p.id === panel.id ? next : p)))}
                        onRemove={() => edit(section.name, (list) => list.filter((p) => p.id !== panel.id))}
                        onMove={(delta) => edit(section.name, (list) => move(list, panel.id, delta))}
                        onMoveTo={(to) => moveTo(panel.id, to)}
                      >
                        {(visible) => renderPanel(panel, { runs: charted, grouped, data, sync, layout, visible })}
                      </PanelFrame>
                    ))}
                  </div>
                </SortableContext>
              )}
            </SectionDrop>
          );
        })}
      </DndContext>
    </div>
  );
}

const SECTION_DROP = 'section:';

/** A section as a drop target: a panel dropped on it (not on one of its panels) goes last in it. */
function SectionDrop({ name, disabled, children }: { name: string; disabled: boolean; children: ReactNode }) {
  const { setNodeRef, isOver } = useDroppable({ id: `${SECTION_DROP}${name}`, disabled });
  return (
    <section ref={setNodeRef} className={`panel-section${isOver ? ' drop-over' : ''}`} aria-label={`section ${name}`}>
      {children}
    </section>
  );
}

function renderPanel(
  panel: Panel,
  c: { runs: PanelRun[]; grouped: Grouped; data: AreaData; sync: ChartSync; layout: PanelLayout; visible: boolean },
): ReactNode {
  const common = { runs: c.runs, grouped: c.grouped, summaries: c.data.summaries, params: c.data.params };
  if (panel.type !== 'line' && !c.data.summariesLoaded)
    return <div className="panel-placeholder" style={{ height: panel.h + 40 }} aria-busy="true" />;
  switch (panel.type) {
    case 'line':
      return (
        <LinePanel
          panel={panel}
          runs={c.runs}
          grouped={c.grouped}
          settings={c.layout.settings}
          store={c.data.store}
          sync={c.sync}
          visible={c.visible}
        />
      );
    case 'scatter':
      return <ScatterPanel {...common} panel={panel} sync={c.sync} />;
    case 'bar':
      return <BarPanel {...common} panel={panel} />;
    case 'parallel':
      return <ParallelPanel {...common} panel={panel} />;
    case 'importance':
      return <ImportancePanel {...common} panel={panel} paramNames={c.data.paramNames} />;
  }
}

/** Explicit sections first (in layout order), then one derived section per namespace not yet explicit, in natural order. */
export function allSections(layout: PanelLayout, names: string[], derive: boolean): Section[] {
  const explicit = layout.sections;
  if (!derive) return explicit;
  const taken = new Set(explicit.map((s) => s.name));
  const byNamespace = new Map<string, string[]>();
  for (const name of [...names].sort(naturalCompare)) {
    const ns = namespaceOf(name);
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), name]);
  }
  // Namespaces of one or two metrics share one section: 45 small groups must not become 45 rows.
  const merged = new Map<string, string[]>();
  for (const [ns, metrics] of byNamespace) {
    const target = metrics.length < 3 ? 'metrics' : ns;
    merged.set(target, [...(merged.get(target) ?? []), ...metrics]);
  }
  const derived = [...merged.entries()]
    .filter(([ns]) => !taken.has(ns) && !layout.hidden.includes(ns))
    .sort(([a], [b]) => (a === 'metrics' ? 1 : b === 'metrics' ? -1 : naturalCompare(a, b)))
    .map(([ns, metrics]) => ({
      id: `auto:${ns}`,
      name: ns,
      panels: metrics
        .sort(naturalCompare)
        .map((m) => ({ id: `auto:${m}`, type: 'line' as const, metrics: [m], x: layout.settings.x, ...DEFAULT_PANEL })),
    }));
  return [...explicit, ...derived];
}

/** `loss` matches names containing it (any case); `/^train\/.*loss$/` is a regular expression. */
export function searchMatcher(text: string): ((name: string) => boolean) | null {
  const q = text.trim();
  if (!q) return null;
  const re = /^\/(.+)\/([a-z]*)$/.exec(q);
  if (re) {
    try {
      const pattern = new RegExp(re[1]!, re[2]!.includes('i') ? 'i' : '');
      return (name) => pattern.test(name);
    } catch {
      return () => false;
    }
  }
  const lower = q.toLowerCase();
  return (name) => name.toLowerCase().includes(lower);
}

function move(list: Panel[], id: string, delta: number): Panel[] {
  const i = list.findIndex((p) => p.id === id);
  const j = Math.max(0, Math.min(list.length - 1, i + delta));
  if (i < 0 || i === j) return list;
  const next = list.slice();
  const [p] = next.splice(i, 1);
  next.splice(j, 0, p!);
  return next;
}

/**
 * A panel's frame: title, move, resize (width by grid columns, height by dragging
 * the corner or with the buttons) and remove. Its content renders only while it
 * is near the viewport: a change of grouping or runs redraws the charts on
 * screen, not the hundreds scrolled past (their points stay in the store).
 */
function PanelFrame({
  panel,
  section,
  sections,
  onChange,
  onRemove,
  onMove,
  onMoveTo,
  children,
}: {
  panel: Panel;
  section: string;
  sections: string[];
  onChange: (p: Panel) => void;
  onRemove: () => void;
  onMove: (delta: number) => void;
  onMoveTo: (section: string) => void;
  children: (visible: boolean) => ReactNode;
}) {
  const ref = useRef<HTMLDivElement | null>(null);
  const sortable = useSortable({ id: panel.id });
  const setRefs = useCallback(
    (element: HTMLDivElement | null) => {
      ref.current = element;
      sortable.setNodeRef(element);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [sortable.setNodeRef],
  );
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => setVisible(entries[entries.length - 1]!.isIntersecting), {
      rootMargin: '200px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const title = panelTitle(panel);
  const widthIndex = PANEL_WIDTHS.findIndex((w) => w >= panel.w);
  const resize = (delta: number) => {
    const next = PANEL_WIDTHS[Math.max(0, Math.min(PANEL_WIDTHS.length - 1, (widthIndex < 0 ? 2 : widthIndex) + delta))]!;
    onChange({ ...panel, w: next });
  };
  const startDrag = (event: React.PointerEvent) => {
    event.preventDefault();
    const element = ref.current!;
    const grid = element.parentElement!;
    const startX = event.clientX;
    const startY = event.clientY;
    const startW = element.offsetWidth;
    const startH = panel.h;
    const column = grid.clientWidth / 12;
    const onMoveEvent = (e: PointerEvent) => {
      element.style.width = `${Math.max(column * 3, startW + e.clientX - startX)}px`;
      element.style.height = `${Math.max(160, startH + 60 + e.clientY - startY)}px`;
    };
    const onUp = (e: PointerEvent) => {
      window.removeEventListener('pointermove', onMoveEvent);
      window.removeEventListener('pointerup', onUp);
      element.style.width = '';
      element.style.height = '';
      const w = Math.max(3, Math.min(12, Math.round((startW + e.clientX - startX) / column)));
      const h = Math.max(120, Math.min(800, Math.round(startH + e.clientY - startY)));
      onChange({ ...panel, w, h });
    };
    window.addEventListener('pointermove', onMoveEvent);
    window.addEventListener('pointerup', onUp);
  };
  return (
    <div
      ref={setRefs}
      className={`panel${sortable.isDragging ? ' dragging' : ''}`}
      style={{ gridColumn: `span ${panel.w}`, transform: CSS.Translate.toString(sortable.transform), transition: sortable.transition }}
      data-panel={panel.id}
      data-width={panel.w}
      aria-label={`panel ${title}`}
    >
      <div className="panel-head">
        <button
          type="button"
          className="link panel-handle"
          ref={sortable.setActivatorNodeRef}
          {...sortable.attributes}
          {...sortable.listeners}
          aria-label={`Drag ${title}`}
          aria-roledescription="draggable panel"
        >
          ⠿
        </button>
        <span className="panel-title" title={title}>
          {title}
        </span>
        <span className="panel-actions">
          {sections.length > 1 && (
            <select
              className="panel-move"
              aria-label={`Move ${title} to section`}
              value=""
              onChange={(event) => event.target.value && onMoveTo(event.target.value)}
            >
              <option value="">↦</option>
              {sections
                .filter((name) => name !== section)
                .map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
            </select>
          )}
          <button className="link" aria-label={`Move ${title} earlier`} onClick={() => onMove(-1)}>
            ◀
          </button>
          <button className="link" aria-label={`Move ${title} later`} onClick={() => onMove(1)}>
            ▶
          </button>
          <button className="link" aria-label={`Narrower ${title}`} onClick={() => resize(-1)}>
            −
          </button>
          <button className="link" aria-label={`Wider ${title}`} onClick={() => resize(1)}>
            +
          </button>
          <button className="link" aria-label={`Remove ${title}`} onClick={onRemove}>
            ×
          </button>
        </span>
      </div>
      <div className="panel-body">
        {visible ? children(true) : <div className="panel-placeholder" style={{ height: panel.h + 40 }} aria-busy="true" />}
      </div>
      <span className="panel-resize" aria-hidden="true" onPointerDown={startDrag} />
    </div>
  );
}
