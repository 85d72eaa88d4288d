import type { Project, TrashItem, TrashList } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { post } from '../../api/client';
import { useResource } from '../../api/hooks';
import { ProjectNav } from '../../components/ProjectNav';
import { Empty, ErrorBox, formatBytes, formatTime, Loading } from '../../components/ui';
import { RetentionPolicyPanel } from './RetentionPolicyPanel';

const KIND_LABEL: Record<TrashItem['kind'], string> = {
  run: 'Run',
  artifact: 'Artifact',
  artifact_version: 'Artifact version',
  project: 'Project',
};

/** The project's trash: deleted runs, artifacts and artifact versions until the janitor purges them, each with Restore; and the retention policy that feeds it. */
export function TrashPage() {
  const { org = '', project = '' } = useParams();
  const info = useResource<Project>(paths.project(org, project));
  const list = useResource<TrashList>(paths.trash(org, project));
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);

  async function restore(item: TrashItem) {
    if (item.kind === 'project') return;
    setBusy(item.id);
    setError(null);
    try {
      await post(paths.trashItemRestore(org, project, item.kind, item.id));
      list.setData((current) => current && { items: current.items.filter((i) => i.id !== item.id) });
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}`}>{org}</Link> / <Link to={`/${org}/${project}`}>{info.data?.name ?? project}</Link> / Trash
        </h1>
        <ProjectNav org={org} project={project} />
      </div>
      <p className="muted">Deleted runs, artifacts and artifact versions stay here until they are purged, then their files are freed.</p>
      <ErrorBox error={list.error?.status === 403 ? new Error('Only maintainers of the project see its trash.') : list.error} />
      <ErrorBox error={error} />
      {list.data && <RetentionPolicyPanel org={org} project={project} />}
      {list.loading && !list.data && <Loading what="Loading the trash" />}
      {list.data?.items.length === 0 && <Empty>The trash is empty.</Empty>}
      {!!list.data?.items.length && (
        <table className="grid" aria-label="Trash">
          <thead>
            <tr>
              <th>Item</th>
              <th>Kind</th>
              <th className="num">Size</th>
              <th>Deleted</th>
              <th>Purged after</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((item) => (
              <tr key={item.id}>
                <td>{item.label}</td>
                <td>
                  <span className="badge">{KIND_LABEL[item.kind]}</span>
                </td>
                <td className="num">{formatBytes(item.sizeBytes)}</td>
                <td>{formatTime(item.deletedAt)}</td>
                <td>{formatTime(item.purgeAfter)}</td>
                <td>
                  <button type="button" disabled={busy === item.id} onClick={() => void restore(item)} aria-label={`Restore ${item.label}`}>
                    Restore
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
