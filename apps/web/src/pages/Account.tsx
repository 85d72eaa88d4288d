import type { ApiKey, CreatedApiKey } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { del, post } from '../api/client';
import { useResource } from '../api/hooks';
import { useSession } from '../api/session';
import { CopyButton } from '../components/CopyButton';
import { ErrorBox, formatTime } from '../components/ui';

/** Personal API keys: created (shown once), listed by prefix, revoked. */
export function AccountPage() {
  const { session } = useSession();
  const keys = useResource<ApiKey[]>(paths.myApiKeys());
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<Error | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    try {
      setCreated(await post<CreatedApiKey>(paths.myApiKeys(), { name: String(new FormData(form).get('name')) }));
      form.reset();
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
      <h2>API keys</h2>
      <p className="muted">
        For the SDK and CLI: <code>TRACKBASE_API_KEY=… trackbase whoami</code>.
      </p>
      <form onSubmit={create} className="inline" aria-label="Create API key">
        <label>
          Key name
          <input name="name" required placeholder="laptop" />
        </label>
        <button type="submit">Create key</button>
      </form>
      {created && (
        <div className="notice" role="status">
          Copy this key now; it will not be shown again: <code data-testid="new-api-key">{created.key}</code>{' '}
          <CopyButton text={created.key} label="Copy key" />
        </div>
      )}
      <ErrorBox error={error ?? keys.error} />
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
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
    </section>
  );
}
