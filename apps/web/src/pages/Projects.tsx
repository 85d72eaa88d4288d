import type { Org, Project } from '@trackbase/contracts';
import { ORG_ROLE_PERMISSIONS, OrgPermission, paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { post } from '../api/client';
import { useResource } from '../api/hooks';
import { Empty, ErrorBox, Loading } from '../components/ui';
import { Markdown } from '../markdown/Markdown';

export function ProjectsPage() {
  const { org = '' } = useParams();
  const navigate = useNavigate();
  const orgInfo = useResource<Org>(paths.org(org));
  const projects = useResource<Project[]>(paths.projects(org));
  const [error, setError] = useState<Error | null>(null);
  const canCreate = orgInfo.data && ORG_ROLE_PERMISSIONS[orgInfo.data.role].includes(OrgPermission.ProjectsCreate);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      const project = await post<Project>(paths.projects(org), {
        name: String(form.get('name')),
        visibility: String(form.get('visibility')),
      });
      void navigate(`/${org}/${project.slug}`);
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <section>
      <h1>{orgInfo.data?.name ?? org}</h1>
      <ErrorBox error={orgInfo.error ?? projects.error} />
      {projects.loading && !projects.data && <Loading />}
      {projects.data?.length === 0 && <Empty>No projects yet.</Empty>}
      <table className="grid">
        <thead>
          <tr>
            <th>Project</th>
            <th>Visibility</th>
            <th>Your role</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {projects.data?.map((p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/${org}/${p.slug}`}>{p.name}</Link>
              </td>
              <td>{p.visibility}</td>
              <td>{p.role}</td>
              <td className="muted">
                <Markdown text={p.description} scope={{ org, project: p.slug }} className="markdown compact" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canCreate && (
        <form onSubmit={create} className="inline" aria-label="Create project">
          <label>
            New project
            <input name="name" required placeholder="Vision" />
          </label>
          <label>
            Visibility
            <select name="visibility" defaultValue="private">
              <option value="private">private</option>
              <option value="org">organization</option>
            </select>
          </label>
          <button type="submit">Create project</button>
        </form>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
