import type { Artifact, Project } from '@trackbase/contracts';
import { ARTIFACT_KINDS, paths } from '@trackbase/contracts';
import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useResource } from '../../api/hooks';
import { AliasChips } from '../../components/artifacts/AliasChips';
import { ProjectNav } from '../../components/ProjectNav';
import { Empty, ErrorBox, formatBytes, formatTime, Loading } from '../../components/ui';
import { Markdown } from '../../markdown/Markdown';

/** The project's artifacts, filtered by kind (in the URL). */
export function ArtifactsPage() {
  const { org = '', project = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const kind = search.get('kind') ?? '';
  const info = useResource<Project>(paths.project(org, project));
  const list = useResource<Artifact[]>(`${paths.artifacts(org, project)}${kind ? `?kind=${encodeURIComponent(kind)}` : ''}`);
  const kinds = useMemo(
    () => [...new Set([...ARTIFACT_KINDS, ...(list.data ?? []).map((a) => a.kind), ...(kind ? [kind] : [])])].sort(),
    [list.data, kind],
  );
  const base = `/${org}/${project}/artifacts`;

  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}`}>{org}</Link> / <Link to={`/${org}/${project}`}>{info.data?.name ?? project}</Link> / Artifacts
        </h1>
        <ProjectNav org={org} project={project} />
      </div>
      <div className="toolbar">
        <label>
          Kind{' '}
          <select value={kind} onChange={(e) => setSearch(e.target.value ? { kind: e.target.value } : {}, { replace: true })}>
            <option value="">all kinds</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        {list.data && <span className="muted">{list.data.length} artifacts</span>}
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading what="Loading artifacts" />}
      {list.data?.length === 0 && (
        <Empty>
          {kind
            ? `No ${kind} artifacts in this project.`
            : 'No artifacts yet. Runs log datasets, models and other files as versioned artifacts with the SDK or the API.'}
        </Empty>
      )}
      {!!list.data?.length && (
        <table className="grid" aria-label="Artifacts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Latest</th>
              <th className="num">Versions</th>
              <th>Aliases</th>
              <th className="num">Size</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link to={`${base}/${encodeURIComponent(a.name)}`}>{a.name}</Link>
                  {a.description && <Markdown text={a.description} scope={{ org, project }} className="markdown compact muted small" />}
                </td>
                <td>
                  <span className="badge">{a.kind}</span>
                </td>
                <td>{a.latest ? <Link to={`${base}/${encodeURIComponent(a.name)}/${a.latest}`}>{a.latest}</Link> : '—'}</td>
                <td className="num">{a.versionCount}</td>
                <td>
                  <AliasChips
                    aliases={Object.entries(a.aliases)
                      .filter(([alias]) => alias !== 'latest')
                      .map(([alias, v]) => `${alias} → ${v}`)}
                  />
                </td>
                <td className="num">{formatBytes(a.size)}</td>
                <td className="muted">{formatTime(a.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
