import { Link } from 'react-router';

interface RunRef {
  key: string;
  name: string;
}

/** Runs as links to their pages: `VIS-3 baseline, VIS-4 …`. */
export function RunLinks({ org, project, runs, none = '—' }: { org: string; project: string; runs: RunRef[]; none?: string }) {
  if (runs.length === 0) return <span className="muted">{none}</span>;
  return (
    <span className="run-links">
      {runs.map((r, i) => (
        <span key={r.key}>
          {i > 0 && ', '}
          <Link to={`/${org}/${project}/runs/${r.key}`}>{r.key}</Link> <span className="muted">{r.name}</span>
        </span>
      ))}
    </span>
  );
}
