import type { ArtifactDetail, Project } from '@trackbase/contracts';
import { paths, ProjectPermission } from '@trackbase/contracts';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { del, put } from '../../api/client';
import { useResource } from '../../api/hooks';
import { can } from '../../api/permissions';
import { AliasesPanel } from '../../components/artifacts/AliasesPanel';
import { VersionsTable } from '../../components/artifacts/VersionsTable';
import { ProjectNav } from '../../components/ProjectNav';
import { Empty, ErrorBox, formatBytes, Loading } from '../../components/ui';
import { Markdown } from '../../markdown/Markdown';
import { ReadmeCard } from '../../components/Readme';

/** One artifact: its versions and aliases; maintainers move aliases and delete versions. */
export function ArtifactPage() {
  const { org = '', project = '', name = '' } = useParams();
  const info = useResource<Project>(paths.project(org, project));
  const detail = useResource<ArtifactDetail>(paths.artifact(org, project, name));
  const [error, setError] = useState<Error | null>(null);
  const manage = can(info.data, ProjectPermission.ArtifactsManage);
  const base = `/${org}/${project}/artifacts/${encodeURIComponent(name)}`;

  /** Reloads after a change; a failure goes back to the caller to show. */
  const change = (work: Promise<unknown>) => work.then(() => detail.reload());

  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what="Loading artifact" />;
  const a = detail.data;
  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}/${project}`}>{info.data?.name ?? project}</Link> / <Link to={`/${org}/${project}/artifacts`}>Artifacts</Link> /{' '}
          {a.name} <span className="badge">{a.kind}</span>
        </h1>
        <ProjectNav org={org} project={project} />
      </div>
      {a.description && <Markdown text={a.description} scope={{ org, project }} />}
      <ReadmeCard
        path={paths.artifactReadme(org, project, a.name)}
        scope={{ org, project }}
        canWrite={can(info.data, ProjectPermission.ArtifactsWrite)}
        label="Artifact README"
      />
      <p className="muted">
        {a.versionCount} {a.versionCount === 1 ? 'version' : 'versions'} · {formatBytes(a.size)}
      </p>
      <div className="artifact-layout">
        <div>
          <h2>Versions</h2>
          <ErrorBox error={error} />
          {a.versions.length === 0 ? (
            <Empty>No committed versions.</Empty>
          ) : (
            <VersionsTable
              org={org}
              project={project}
              name={a.name}
              versions={a.versions}
              onDelete={
                manage ? (v) => change(del(paths.artifactVersion(org, project, a.name, v))).then(() => setError(null), setError) : undefined
              }
            />
          )}
        </div>
        <AliasesPanel
          artifact={a}
          base={base}
          manage={
            manage
              ? {
                  set: (alias, version) => change(put(paths.artifactAlias(org, project, a.name, alias), { version })),
                  remove: (alias) => change(del(paths.artifactAlias(org, project, a.name, alias))),
                }
              : undefined
          }
        />
      </div>
    </section>
  );
}
