import type { ArtifactVersion, Run, SavedView, SavedViewList } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { get } from '../api/client';
import { referenceText, type Reference } from './references';
import type { MarkdownScope } from './Markdown';

type Resolved =
  | { kind: 'run'; run: Run }
  | { kind: 'artifact'; version: ArtifactVersion }
  | { kind: 'view'; view: SavedView; org: string; project: string };

const cache = new Map<string, Promise<Resolved | null>>();

function lookup(scope: MarkdownScope, reference: Reference): Promise<Resolved | null> {
  switch (reference.kind) {
    case 'run':
      return get<Run>(paths.run(scope.org, scope.project, reference.key)).then((run): Resolved => ({ kind: 'run', run }));
    case 'view':
      // The views the viewer can see in the project (shared ones, and their own personal ones); a shared one wins a tie.
      return get<SavedViewList>(paths.views(scope.org, scope.project)).then((list): Resolved | null => {
        const named = list.items
          .filter((v) => v.name === reference.name)
          .sort((a, b) => (a.visibility === 'project' ? -1 : b.visibility === 'project' ? 1 : 0));
        return named[0] ? { kind: 'view', view: named[0], org: scope.org, project: scope.project } : null;
      });
    case 'view-url':
      return get<SavedView>(paths.view(reference.org, reference.project, reference.id)).then((view): Resolved => ({
        kind: 'view',
        view,
        org: reference.org,
        project: reference.project,
      }));
    default:
      return get<ArtifactVersion>(paths.artifactVersion(scope.org, scope.project, reference.name, reference.version)).then(
        (version): Resolved | null => (version.kind === reference.type ? { kind: 'artifact', version } : null),
      );
  }
}

/** Resolves with the viewer's own session: anything the viewer cannot read (or that does not exist) is null. */
function resolve(scope: MarkdownScope, reference: Reference): Promise<Resolved | null> {
  const key = `${scope.org}/${scope.project}/${reference.kind}/${referenceText(reference)}`;
  let found = cache.get(key);
  if (!found) {
    found = lookup(scope, reference).catch(() => null);
    cache.set(key, found);
    setTimeout(() => cache.delete(key), 30_000);
  }
  return found;
}

/**
 * A run key or artifact reference: a link with a preview card once resolved;
 * plain text while resolving and for good when the viewer cannot read it,
 * so an unreadable reference reveals nothing (not even that it exists).
 */
export function ReferenceLink({ scope, reference }: { scope: MarkdownScope; reference: Reference }) {
  const [resolved, setResolved] = useState<Resolved | null>(null);
  const text = referenceText(reference);
  useEffect(() => {
    let cancelled = false;
    void resolve(scope, reference).then((r) => !cancelled && setResolved(r));
    return () => {
      cancelled = true;
    };
  }, [scope, reference, text]);
  if (!resolved) return <span className="reference-unresolved">{text}</span>;
  const to =
    resolved.kind === 'run'
      ? paths.runPage(scope.org, scope.project, resolved.run.key)
      : resolved.kind === 'view'
        ? `/${encodeURIComponent(resolved.org)}/${encodeURIComponent(resolved.project)}?view=${resolved.view.id}`
        : `/${encodeURIComponent(scope.org)}/${encodeURIComponent(scope.project)}/artifacts/${encodeURIComponent(resolved.version.artifact)}/${encodeURIComponent(resolved.version.version ?? resolved.version.id)}`;
  return (
    <span className="reference">
      <Link to={to} className="reference-link" data-reference={resolved.kind}>
        {text}
      </Link>
      <span className="reference-card" role="tooltip">
        {resolved.kind === 'view' ? (
          <>
            <strong>{resolved.view.name}</strong> · saved view ({resolved.view.visibility === 'project' ? 'shared' : 'personal'})
            {resolved.view.state.filter && <span className="muted"> · filter {resolved.view.state.filter}</span>}
            <span className="muted"> · {resolved.view.state.columns.length} columns</span>
            {resolved.view.state.grouping.length > 0 && (
              <span className="muted"> · grouped by {resolved.view.state.grouping.join(', ')}</span>
            )}
          </>
        ) : resolved.kind === 'run' ? (
          <>
            <strong>{resolved.run.name || resolved.run.key}</strong> · {resolved.run.state}
            {resolved.run.description && <span className="muted"> — {resolved.run.description}</span>}
            {resolved.run.tags.length > 0 && <span className="muted"> · {resolved.run.tags.join(', ')}</span>}
          </>
        ) : (
          <>
            <strong>
              {resolved.version.artifact} {resolved.version.version}
            </strong>{' '}
            · {resolved.version.kind} · {resolved.version.fileCount} files
            {resolved.version.aliases.length > 0 && <span className="muted"> · {resolved.version.aliases.join(', ')}</span>}
          </>
        )}
      </span>
    </span>
  );
}
