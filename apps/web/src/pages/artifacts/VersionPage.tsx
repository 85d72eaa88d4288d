import type { ArtifactVersion, Project } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { Link, useParams } from 'react-router';
import { useResource } from '../../api/hooks';
import { AliasChips } from '../../components/artifacts/AliasChips';
import { RunLinks } from '../../components/artifacts/RunLinks';
import { VersionFiles } from '../../components/artifacts/VersionFiles';
import { VersionMetadata } from '../../components/artifacts/VersionMetadata';
import { ProjectNav } from '../../components/ProjectNav';
import { ErrorBox, formatBytes, formatTime, Loading } from '../../components/ui';
import { Markdown } from '../../markdown/Markdown';

/** One version (`v3` or an alias in the URL): where it came from, who used it, its metadata and files. */
export function VersionPage() {
  const { org = '', project = '', name = '', version = '' } = useParams();
  const info = useResource<Project>(paths.project(org, project));
  const detail = useResource<ArtifactVersion>(paths.artifactVersion(org, project, name, version));
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what="Loading version" />;
  const v = detail.data;
  const label = v.version ?? 'draft';
  const artifactPage = `/${org}/${project}/artifacts/${encodeURIComponent(name)}`;
  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}/${project}`}>{info.data?.name ?? project}</Link> / <Link to={`/${org}/${project}/artifacts`}>Artifacts</Link> /{' '}
          <Link to={artifactPage}>{name}</Link> / {label} <AliasChips aliases={v.aliases} />
        </h1>
        <ProjectNav org={org} project={project} />
      </div>
      {v.description && <Markdown text={v.description} scope={{ org, project }} />}
      <div className="two-col">
        <dl className="facts">
          <dt>Kind</dt>
          <dd>{v.kind}</dd>
          <dt>Created</dt>
          <dd>{formatTime(v.createdAt)}</dd>
          <dt>Size</dt>
          <dd>
            {formatBytes(v.size)} in {v.fileCount} {v.fileCount === 1 ? 'file' : 'files'}
          </dd>
          <dt>Digest</dt>
          <dd>
            <code className="break">{v.digest}</code>
          </dd>
          <dt>Produced by</dt>
          <dd>
            {v.producer ? <RunLinks org={org} project={project} runs={[v.producer]} /> : <span className="muted">no run recorded</span>}
          </dd>
          <dt>Used by</dt>
          <dd>
            <RunLinks org={org} project={project} runs={v.consumers} none="no run yet" />
          </dd>
          {v.reference && (
            <>
              <dt>Reference</dt>
              <dd>
                <code className="break">{v.reference.uri}</code>
                <div className="muted small">
                  digest <code>{v.reference.digest}</code>
                  {v.reference.size !== null && ` · ${formatBytes(v.reference.size)}`}
                </div>
              </dd>
            </>
          )}
        </dl>
        <div>
          <h2>Metadata</h2>
          <VersionMetadata metadata={v.metadata} />
        </div>
      </div>
      <h2>Files</h2>
      {v.reference ? (
        <p className="muted">This version refers to data kept outside Trackbase, at the URI above; Trackbase stores only its digest.</p>
      ) : (
        <VersionFiles org={org} project={project} name={name} version={v.version ?? v.id} />
      )}
    </section>
  );
}
