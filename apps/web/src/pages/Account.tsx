import type { ApiKey, CreateApiKeyRequest, CreatedApiKey, Project, Session } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { api, del, post, saveSession } from '../api/client';
import { useResource } from '../api/hooks';
import { useSession } from '../api/session';
import { AccountSecuritySection } from '../components/AccountSecurity';
import { CopyButton } from '../components/CopyButton';
import { ErrorBox, formatTime } from '../components/ui';

/** What a key reaches, in words: "read-only · lab/vision, lab/nlp", "read and write · every organization". */
function scopeText(k: ApiKey): string {
  const where = !k.organization
    ? 'every organization'
    : k.projects
      ? k.projects.map((p) => `${k.organization}/${p}`).join(', ')
      : k.organization;
  return `${k.access === 'read' ? 'read-only' : 'read and write'} · ${where}`;
}

/** Deleting the account: typed confirmation of the email, and the password (or a recent sign-in without one). */
function DeleteAccount({ email }: { email: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const password = String(data.get('password') ?? '');
    setError(null);
    try {
      await api('DELETE', paths.me(), { confirm: String(data.get('confirm') ?? ''), ...(password && { password }) });
      saveSession(null);
      window.location.assign('/login?deleted=1');
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <>
      <h2>Delete account</h2>
      <p className="muted">
        Your sessions, API keys and memberships end at once. What you made in organizations (runs, comments, reports) stays there, shown as
        made by a deleted user. If you are the only owner of an organization, make someone else an owner first.
      </p>
      {!open ? (
        <button className="secondary danger" onClick={() => setOpen(true)}>
          Delete my account…
        </button>
      ) : (
        <form onSubmit={submit} className="card" aria-label="Delete account">
          <label>
            Type your email ({email}) to confirm
            <input name="confirm" required autoComplete="off" />
          </label>
          <label>
            Password (leave empty if you sign in through single sign-on and did so in the last 10 minutes)
            <input name="password" type="password" autoComplete="current-password" />
          </label>
          <button type="submit" className="secondary danger">
            Delete my account for good
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <ErrorBox error={error} />
        </form>
      )}
    </>
  );
}

/** Personal API keys: created with a scope and expiry (shown once, with a copy button), listed by prefix, revoked. */
export function AccountPage() {
  const { session, orgs } = useSession();
  const keys = useResource<ApiKey[]>(paths.myApiKeys());
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [org, setOrg] = useState('');
  const projects = useResource<Project[]>(org ? paths.projects(org) : null);
  const sessions = useResource<Session[]>(paths.mySessions());

  async function endSession(id: string) {
    await del(`${paths.mySessions()}/${id}`).catch(setError);
    sessions.reload();
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const chosen = data.getAll('project').map(String);
    const expires = String(data.get('expires') ?? '');
    const body: CreateApiKeyRequest = {
      name: String(data.get('name')),
      access: data.get('access') === 'read' ? 'read' : 'write',
      ...(org && { organization: org }),
      ...(org && chosen.length > 0 && { projects: chosen }),
      // The key stops working at the end of the chosen day, local time.
      ...(expires && { expiresAt: new Date(`${expires}T23:59:59`).toISOString() }),
    };
    setError(null);
    try {
      setCreated(await post<CreatedApiKey>(paths.myApiKeys(), body));
      form.reset();
      setOrg('');
      keys.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  async function revoke(id: string) {
    await del(`${paths.myApiKeys()}/${id}`).catch(setError);
    keys.reload();
  }

  return (
    <section>
      <h1>Account</h1>
      <p>
        {session?.user.name} · {session?.user.email}
      </p>
      <AccountSecuritySection />
      <h2>Sessions</h2>
      <p className="muted">Where you are signed in. Ending a session signs it out at once, live connections included.</p>
      <table className="grid" aria-label="Sessions">
        <thead>
          <tr>
            <th>Signed in</th>
            <th>Last active</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sessions.data?.map((s) => (
            <tr key={s.id}>
              <td>{formatTime(s.createdAt)}</td>
              <td>{formatTime(s.lastActiveAt)}</td>
              <td>
                {s.current ? (
                  <span className="muted">this session</span>
                ) : (
                  <button className="secondary" onClick={() => void endSession(s.id)}>
                    End session
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>API keys</h2>
      <p className="muted">
        For the SDK and CLI: <code>TRACKBASE_API_KEY=… trackbase whoami</code>.
      </p>
      <form onSubmit={create} className="card" aria-label="Create API key">
        <label>
          Key name
          <input name="name" required placeholder="laptop" />
        </label>
        <label>
          Key access
          <select name="access" defaultValue="write">
            <option value="write">Read and write</option>
            <option value="read">Read only</option>
          </select>
        </label>
        <label>
          Key organization
          <select name="organization" value={org} onChange={(e) => setOrg(e.target.value)}>
            <option value="">Every organization</option>
            {orgs.data?.map((o) => (
              <option key={o.id} value={o.slug}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        {org && (
          <fieldset>
            <legend>Projects (none chosen: the whole organization)</legend>
            {projects.data?.map((p) => (
              <label key={p.id} className="inline">
                <input type="checkbox" name="project" value={p.slug} /> {p.name}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          Key expires
          <input name="expires" type="date" min={new Date().toISOString().slice(0, 10)} />
        </label>
        <button type="submit">Create key</button>
      </form>
      {created && (
        <div className="notice" role="status">
          Copy this key now; it will not be shown again: <code data-testid="new-api-key">{created.key}</code>{' '}
          <CopyButton text={created.key} label="Copy key" /> <span className="muted">({scopeText(created)})</span>
        </div>
      )}
      <ErrorBox error={error ?? keys.error} />
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
            <th>Scope</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.data?.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}</code>
              </td>
              <td>{scopeText(k)}</td>
              <td>{formatTime(k.createdAt)}</td>
              <td>{formatTime(k.lastUsedAt)}</td>
              <td>{formatTime(k.expiresAt)}</td>
              <td>
                {k.revokedAt ? (
                  <span className="muted">revoked</span>
                ) : (
                  <button className="secondary" onClick={() => void revoke(k.id)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {session?.user.email && <DeleteAccount email={session.user.email} />}
    </section>
  );
}
