import type { ArtifactVersion } from '@trackbase/contracts';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatBytes, formatTime } from '../ui';
import { AliasChips } from './AliasChips';
import { RunLinks } from './RunLinks';

interface Props {
  org: string;
  project: string;
  name: string;
  versions: ArtifactVersion[];
  /** Present for maintainers only. */
  onDelete?: (version: string) => Promise<void>;
}

/** Versions newest first, with where each came from and who used it. */
export function VersionsTable({ org, project, name, versions, onDelete }: Props) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const base = `/${org}/${project}/artifacts/${encodeURIComponent(name)}`;
  return (
    <table className="grid" aria-label="Versions">
      <thead>
        <tr>
          <th>Version</th>
          <th>Aliases</th>
          <th className="num">Files</th>
          <th className="num">Size</th>
          <th>Digest</th>
          <th>Produced by</th>
          <th>Used by</th>
          <th>Created</th>
          {onDelete && <th />}
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => {
          const ref = v.version ?? v.id;
          return (
            <tr key={v.id}>
              <td>
                <Link to={`${base}/${ref}`}>{ref}</Link>
                {v.reference && <span className="badge small-badge">reference</span>}
              </td>
              <td>
                <AliasChips aliases={v.aliases} />
              </td>
              <td className="num">{v.fileCount}</td>
              <td className="num">{formatBytes(v.size)}</td>
              <td>
                <code title={v.digest}>{v.digest.replace(/^sha256:/, '').slice(0, 10)}</code>
              </td>
              <td>{v.producer ? <RunLinks org={org} project={project} runs={[v.producer]} /> : <span className="muted">—</span>}</td>
              <td>
                <RunLinks org={org} project={project} runs={v.consumers.slice(0, 3)} />
                {v.consumers.length > 3 && <span className="muted"> and {v.consumers.length - 3} more</span>}
              </td>
              <td className="muted">{formatTime(v.createdAt)}</td>
              {onDelete && (
                <td className="row-actions">
                  {confirming === v.id ? (
                    <>
                      <button type="button" className="link danger" onClick={() => void onDelete(ref).finally(() => setConfirming(null))}>
                        Delete {ref} and its files?
                      </button>
                      <button type="button" className="link" onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <button type="button" className="link danger" aria-label={`Delete version ${ref}`} onClick={() => setConfirming(v.id)}>
                      Delete
                    </button>
                  )}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
