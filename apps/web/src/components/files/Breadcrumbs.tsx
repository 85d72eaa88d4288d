import { Link } from 'react-router';
import type { FileLocation } from './useFileLocation';

/** root / a / b, each a link to that directory; the last one is where we are. */
export function Breadcrumbs({ location, root }: { location: FileLocation; root: string }) {
  const parts = location.dir.split('/').filter(Boolean);
  return (
    <nav aria-label="Folder" className="breadcrumbs">
      {parts.length === 0 ? <strong aria-current="page">{root}</strong> : <Link to={location.href({ dir: '' })}>{root}</Link>}
      {parts.map((part, i) => {
        const last = i === parts.length - 1;
        return (
          <span key={i}>
            <span className="muted"> / </span>
            {last ? (
              <strong aria-current="page">{part}</strong>
            ) : (
              <Link to={location.href({ dir: `${parts.slice(0, i + 1).join('/')}/` })}>{part}</Link>
            )}
          </span>
        );
      })}
    </nav>
  );
}
