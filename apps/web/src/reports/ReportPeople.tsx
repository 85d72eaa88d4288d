import type { OrgMember, ReportMember, ReportMemberRole } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { del, put } from '../api/client';
import { useResource } from '../api/hooks';
import { ErrorBox, Loading } from '../components/ui';

const ROLES: ReportMemberRole[] = ['viewer', 'editor'];

/**
 * The People section of the share dialog: named viewers and editors of the report, added from the organization's
 * members (they read, or edit, the report without a role in its projects), their role changed or taken away.
 */
export function ReportPeople({ org, report }: { org: string; report: string }) {
  const base = `${paths.report(org, report)}/members`;
  const members = useResource<{ items: ReportMember[] }>(base);
  const orgMembers = useResource<OrgMember[]>(`${paths.org(org)}/members`);
  const [error, setError] = useState<Error | null>(null);
  const named = new Set(members.data?.items.map((m) => m.userId));

  const set = (userId: string, role: ReportMemberRole) =>
    put(`${base}/${encodeURIComponent(userId)}`, { role }).then(() => {
      setError(null);
      members.reload();
    }, setError);
  const remove = (userId: string) =>
    del(`${base}/${encodeURIComponent(userId)}`).then(() => {
      setError(null);
      members.reload();
    }, setError);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const userId = String(form.get('user') ?? '');
    if (userId) await set(userId, String(form.get('role')) as ReportMemberRole);
  }

  const candidates = (orgMembers.data ?? []).filter((m) => m.kind === 'human' && !named.has(m.userId));
  return (
    <section aria-label="People">
      <h3>People</h3>
      <ErrorBox error={error ?? members.error ?? null} />
      {!members.data && !members.error && <Loading what="Loading people" />}
      {members.data?.items.length === 0 && <p className="muted">No one named yet: readers of every project of the report read it.</p>}
      {members.data && members.data.items.length > 0 && (
        <table className="grid" aria-label="Named people">
          <tbody>
            {members.data.items.map((m) => (
              <tr key={m.userId}>
                <td>{m.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${m.name}`}
                    value={m.role}
                    onChange={(e) => void set(m.userId, e.target.value as ReportMemberRole)}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" className="secondary" onClick={() => void remove(m.userId)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {candidates.length > 0 && (
        <form className="toolbar" onSubmit={(e) => void add(e)} aria-label="Add a person">
          <label>
            Person
            <select name="user" aria-label="Person">
              {candidates.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name} {m.email ? `(${m.email})` : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer" aria-label="Role">
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <button type="submit">Add</button>
        </form>
      )}
    </section>
  );
}
