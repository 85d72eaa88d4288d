import type { RunRow } from '@trackbase/contracts';
import { useMemo, useState } from 'react';
import { PanelArea } from './PanelArea';
import { useStoredLayout } from './useStoredLayout';
import type { PanelLayout } from './layout';

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
  // The first 100 rows on screen are charted; a larger table charts its first page of runs.
  const runs = useMemo(
    () =>
      props.runs
        .slice(0, 100)
        .map((r) => ({ id: r.id, key: r.key, name: r.name, number: r.number, state: r.state, tags: r.tags, columns: r.columns })),
    [props.runs],
  );
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
