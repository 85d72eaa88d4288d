import type { MetricSummaryStat, RunColumn, RunColumnList } from '@trackbase/contracts';
import { runField } from '@trackbase/contracts';
import { useEffect, useMemo, useState } from 'react';

/** Shown at most, so 1,000 metric names stay quick to search; typing narrows the list. */
const SHOWN = 150;

/**
 * Every column the project has (from `…/columns`), searchable: attributes,
 * params, each metric with its summaries (last, min, max, count, step) and tags.
 */
export function ColumnPicker(props: { list: RunColumnList | undefined; chosen: string[]; onChange: (fields: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const matches = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const all = (props.list?.columns ?? []).filter((c) => !FIXED_FIELDS.has(c.field));
    return needle ? all.filter((c) => c.name.toLowerCase().includes(needle) || c.kind.includes(needle)) : all;
  }, [props.list, text]);
  // What was clicked shows at once and the next click builds on it: the URL the choice goes to is
  // applied in a transition, which on a busy page lands a moment later.
  const [pending, setPending] = useState<string[] | null>(null);
  useEffect(() => setPending((p) => (p && p.join(',') === props.chosen.join(',') ? null : p)), [props.chosen]);
  const current = pending ?? props.chosen;
  const chosen = new Set(current);
  const toggle = (field: string) => {
    const next = chosen.has(field) ? current.filter((f) => f !== field) : [...current, field];
    setPending(next);
    props.onChange(next);
  };

  return (
    <div className="picker">
      <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Columns ({current.length})
      </button>
      {open && (
        <div className="picker-panel" role="dialog" aria-label="Choose columns">
          <input
            autoFocus
            placeholder="Search params, metrics, tags…"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-label="Search columns"
          />
          <p className="muted small">
            {matches.length.toLocaleString()} of {(props.list?.columns.length ?? 0).toLocaleString()} columns
            {matches.length > SHOWN ? ` (first ${SHOWN}; type to narrow)` : ''}
          </p>
          <ul>
            {matches.slice(0, SHOWN).map((c) => (
              <li key={`${c.kind}:${c.name}`}>
                {c.kind === 'metric' ? (
                  <MetricChoice column={c} stats={props.list?.metricStats ?? []} chosen={chosen} toggle={toggle} />
                ) : (
                  <label>
                    <input type="checkbox" checked={chosen.has(c.field)} onChange={() => toggle(c.field)} />
                    <span className={`kind kind-${c.kind}`}>{c.kind}</span> {c.name}
                  </label>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function MetricChoice(props: { column: RunColumn; stats: MetricSummaryStat[]; chosen: Set<string>; toggle: (field: string) => void }) {
  return (
    <span className="metric-choice">
      <span className="kind kind-metric">metric</span> <span className="metric-name">{props.column.name}</span>
      {props.stats.map((stat) => {
        const field = runField('metric', props.column.name, stat);
        return (
          <label key={stat} className="stat">
            <input
              type="checkbox"
              checked={props.chosen.has(field)}
              onChange={() => props.toggle(field)}
              aria-label={`${props.column.name} ${stat}`}
            />
            {stat}
          </label>
        );
      })}
    </span>
  );
}

/** Always shown by the table itself. */
export const FIXED_FIELDS = new Set(['key', 'name', 'state', 'created_at', 'tags']);
