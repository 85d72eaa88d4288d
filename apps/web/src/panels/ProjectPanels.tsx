import type { RunRow } from '@trackbase/contracts';
import { useRef, useState } from 'react';
import { PanelArea } from './PanelArea';
import { useStoredLayout } from './useStoredLayout';
import type { PanelLayout } from './layout';
import type { PanelRun } from './data';

/**
 * The project page's panel area over the table's runs. `layout`/`onLayoutChange`
 * come from the saved view when there is one; without, the layout is kept in
 * this browser per project.
 */
export function ProjectPanels(props: {
  org: string;
  project: string;
  runs: RunRow[];
  grouping?: string[];
  selected?: Iterable<string>;
  layout?: unknown;
  onLayoutChange?: (layout: PanelLayout) => void;
}) {
  const [stored, setStored] = useStoredLayout(`${props.org}/${props.project}`);
  const [open, setOpen] = useState(true);
  // The first 100 rows on screen are charted; a larger table charts its first page of runs. The table's next
  // pages arriving leave these rows as they were: the charts are not redrawn for them.
  const head = props.runs.slice(0, 100);
  const previous = useRef<{ rows: RunRow[]; runs: PanelRun[] }>({ rows: [], runs: [] });
  const same = head.length === previous.current.rows.length && head.every((r, i) => r === previous.current.rows[i]);
  if (!same)
    previous.current = {
      rows: head,
      runs: head.map((r) => ({ id: r.id, key: r.key, name: r.name, number: r.number, state: r.state, tags: r.tags, columns: r.columns })),
    };
  const runs = previous.current.runs;
  return (
    <section className="project-panels" aria-label="Project charts">
      <button className="link" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        {open ? '▼' : '▶'} Charts
      </button>
      {open && (
        <PanelArea
          org={props.org}
          project={props.project}
          runs={runs}
          grouping={props.grouping}
          selected={props.selected}
          layout={props.layout ?? stored}
          onLayoutChange={props.onLayoutChange ?? setStored}
        />
      )}
    </section>
  );
}
