import { RUN_STATES } from '@trackbase/contracts';

interface Props {
  states: string[];
  tags: string[];
  /** Tags to offer (the project's, as far as the page knows them). */
  knownTags: string[];
  onChange: (next: { states: string[]; tags: string[] }) => void;
}

/** Toggle chips for run states and tags; they narrow the runs table together with the typed filter. */
export function QuickFilters({ states, tags, knownTags, onChange }: Props) {
  const toggle = (list: string[], value: string) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const offered = [...new Set([...knownTags, ...tags])].sort((a, b) => a.localeCompare(b));
  return (
    <div className="quick-filters">
      <div role="group" aria-label="Filter by state" className="chips">
        <span className="muted">State</span>
        {RUN_STATES.map((s) => (
          <button
            key={s}
            type="button"
            className={`chip state-chip state-${s}`}
            aria-pressed={states.includes(s)}
            onClick={() => onChange({ states: toggle(states, s), tags })}
          >
            {s}
          </button>
        ))}
      </div>
      {offered.length > 0 && (
        <div role="group" aria-label="Filter by tag" className="chips">
          <span className="muted">Tags (any)</span>
          {offered.map((t) => (
            <button
              key={t}
              type="button"
              className="chip"
              aria-pressed={tags.includes(t)}
              onClick={() => onChange({ states, tags: toggle(tags, t) })}
            >
              {t}
            </button>
          ))}
        </div>
      )}
      {(states.length > 0 || tags.length > 0) && (
        <button type="button" className="link" onClick={() => onChange({ states: [], tags: [] })}>
          Clear quick filters
        </button>
      )}
    </div>
  );
}
