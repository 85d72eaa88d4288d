import type { OrgMember, Project, ProjectMember } from '@trackbase/contracts';
import { paths, PROJECT_ROLE_PERMISSIONS, PROJECT_ROLES, ProjectPermission } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { del, patch, put } from '../api/client';
import { useResource } from '../api/hooks';
import { ProjectNav } from '../components/ProjectNav';
import { ErrorBox, Loading } from '../components/ui';

export function ProjectSettingsPage() {
  const { org = '', project = '' } = useParams();
  const info = useResource<Project>(paths.project(org, project));
  const members = useResource<ProjectMember[]>(`${paths.project(org, project)}/members`);
  const orgMembers = useResource<OrgMember[]>(`${paths.org(org)}/members`);
  const [error, setError] = useState<Error | null>(null);
  if (info.error) return <ErrorBox error={info.error} />;
  if (!info.data) return <Loading />;
  const manage = PROJECT_ROLE_PERMISSIONS[info.data.role].includes(ProjectPermission.MembersManage);
  const base = `${paths.project(org, project)}/members`;

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await put(`${base}/${String(form.get('user'))}`, { role: String(form.get('role')) }).then(members.reload, setError);
  }

  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}/${project}`}>{info.data.name}</Link>: settings
        </h1>
        <ProjectNav org={org} project={project} />
      </div>
      {manage && (
        <label>
          Visibility
          <select
            value={info.data.visibility}
            onChange={(e) => void patch(paths.project(org, project), { visibility: e.target.value }).then(info.reload, setError)}
          >
            <option value="private">private: project members, org owners and admins</option>
            <option value="org">organization: every org member can read</option>
          </select>
        </label>
      )}
      <h2>Members</h2>
      <ErrorBox error={error ?? members.error} />
      <table className="grid">
        <tbody>
          {members.data?.map((m) => (
            <tr key={m.userId}>
              <td>{m.name}</td>
              <td>{m.email}</td>
              <td>
                {manage ? (
                  <select
                    aria-label={`Project role of ${m.name}`}
                    value={m.role}
                    onChange={(e) => void put(`${base}/${m.userId}`, { role: e.target.value }).then(members.reload, setError)}
                  >
                    {PROJECT_ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                ) : (
                  m.role
                )}
              </td>
              <td>
                {manage && (
                  <button className="secondary" onClick={() => void del(`${base}/${m.userId}`).then(members.reload, setError)}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {manage && orgMembers.data && (
        <form onSubmit={add} className="inline" aria-label="Add project member">
          <label>
            Organization member
            <select name="user">
              {orgMembers.data.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name} {m.email ? `(${m.email})` : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer">
              {PROJECT_ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <button type="submit">Add to project</button>
        </form>
      )}
    </section>
  );
}
