import type { ArtifactDetail } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorBox } from '../ui';

interface Props {
  artifact: ArtifactDetail;
  base: string;
  /** Present for maintainers only: point an alias at a version, or remove it. */
  manage?: {
    set: (alias: string, version: string) => Promise<void>;
    remove: (alias: string) => Promise<void>;
  };
}

/** Aliases and the versions they point at. `latest` is moved by the server and cannot be changed here. */
export function AliasesPanel({ artifact, base, manage }: Props) {
  const [error, setError] = useState<Error | null>(null);
  const versions = artifact.versions.map((v) => v.version).filter((v): v is string => !!v);
  const aliases = Object.entries(artifact.aliases).sort(([a], [b]) => (a === 'latest' ? -1 : b === 'latest' ? 1 : a.localeCompare(b)));
  const run = (work: Promise<void>) => {
    setError(null);
    return work.catch((e: Error) => setError(e));
  };

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    await run(manage!.set(String(data.get('alias')).trim(), String(data.get('version'))).then(() => form.reset()));
  }

  return (
    <section className="card" aria-label="Aliases">
      <h2>Aliases</h2>
      {aliases.length === 0 && <p className="muted">No aliases.</p>}
      <table className="grid">
        <tbody>
          {aliases.map(([alias, version]) => (
            <tr key={alias}>
              <td>
                <span className={alias === 'latest' ? 'tag alias latest' : 'tag alias'}>{alias}</span>
              </td>
              <td>
                {manage && alias !== 'latest' ? (
                  <select
                    aria-label={`Version of alias ${alias}`}
                    value={version}
                    onChange={(e) => void run(manage.set(alias, e.target.value))}
                  >
                    {versions.map((v) => (
                      <option key={v}>{v}</option>
                    ))}
                  </select>
                ) : (
                  <Link to={`${base}/${version}`}>{version}</Link>
                )}
              </td>
              <td className="row-actions">
                {manage && alias !== 'latest' && (
                  <button
                    type="button"
                    className="link danger"
                    aria-label={`Remove alias ${alias}`}
                    onClick={() => void run(manage.remove(alias))}
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {manage && versions.length > 0 && (
        <form className="inline tight" onSubmit={add} aria-label="Add alias">
          <label>
            New alias
            <input
              name="alias"
              required
              placeholder="production"
              pattern="[A-Za-z][A-Za-z0-9._\-]*"
              title="starts with a letter; letters, digits, dot, dash, underscore"
            />
          </label>
          <label>
            Version
            <select name="version">
              {versions.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </label>
          <button type="submit">Set alias</button>
        </form>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
