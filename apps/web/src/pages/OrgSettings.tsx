import type {
  AuditEntry,
  CreatedInvitation,
  CreatedServiceAccount,
  Invitation,
  CreatedScimToken,
  Org,
  OrgMember,
  ScimToken,
  ServiceAccount,
} from '@trackbase/contracts';
import { ORG_ROLE_PERMISSIONS, ORG_ROLES, OrgPermission, paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { del, patch, post } from '../api/client';
import { useResource } from '../api/hooks';
import { CopyButton } from '../components/CopyButton';
import { ErrorBox, formatTime, Loading } from '../components/ui';
import { SsoSettings } from './SsoSettings';

/** Members and roles, invitations, service accounts and the audit log; only what the caller's role allows is offered. */
export function OrgSettingsPage() {
  const { org = '' } = useParams();
  const info = useResource<Org>(paths.org(org));
  const role = info.data?.role;
  const can = (p: OrgPermission) => !!role && ORG_ROLE_PERMISSIONS[role].includes(p);
  if (info.error) return <ErrorBox error={info.error} />;
  if (!info.data) return <Loading />;
  return (
    <section>
      <h1>{info.data.name}: settings</h1>
      <Members org={org} manage={can(OrgPermission.MembersManage)} isOwner={role === 'owner'} />
      {can(OrgPermission.InvitationsManage) && <Invitations org={org} isOwner={role === 'owner'} />}
      {can(OrgPermission.ServiceAccountsManage) && <ServiceAccounts org={org} />}
      {can(OrgPermission.ScimManage) && <ScimTokens org={org} />}
      {can(OrgPermission.SsoManage) && <SsoSettings org={org} />}
      {can(OrgPermission.AuditRead) && <AuditLog org={org} />}
    </section>
  );
}

function Members({ org, manage, isOwner }: { org: string; manage: boolean; isOwner: boolean }) {
  const members = useResource<OrgMember[]>(`${paths.org(org)}/members`);
  const [error, setError] = useState<Error | null>(null);
  const change = (userId: string, role: string) => patch(`${paths.org(org)}/members/${userId}`, { role }).then(members.reload, setError);
  const remove = (userId: string) => del(`${paths.org(org)}/members/${userId}`).then(members.reload, setError);
  return (
    <section>
      <h2>Members</h2>
      <ErrorBox error={error ?? members.error} />
      <table className="grid">
        <tbody>
          {members.data?.map((m) => (
            <tr key={m.userId}>
              <td>{m.name}</td>
              <td>{m.email ?? <span className="muted">service account</span>}</td>
              <td>
                {manage && (isOwner || m.role !== 'owner') ? (
                  <select aria-label={`Role of ${m.name}`} value={m.role} onChange={(e) => void change(m.userId, e.target.value)}>
                    {ORG_ROLES.filter((r) => isOwner || r !== 'owner').map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                ) : (
                  m.role
                )}
              </td>
              <td>
                {manage && (isOwner || m.role !== 'owner') && (
                  <button className="secondary" onClick={() => void remove(m.userId)}>
                    Remove
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

function Invitations({ org, isOwner }: { org: string; isOwner: boolean }) {
  const invitations = useResource<Invitation[]>(`${paths.org(org)}/invitations`);
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  async function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      const created = await post<CreatedInvitation>(`${paths.org(org)}/invitations`, {
        email: String(form.get('email')),
        role: String(form.get('role')),
      });
      setLink(`${window.location.origin}/invite/${created.token}`);
      invitations.reload();
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <section>
      <h2>Invitations</h2>
      <form onSubmit={invite} className="inline" aria-label="Invite">
        <label>
          Email <input name="email" type="email" required />
        </label>
        <label>
          Role
          <select name="role" defaultValue="member">
            {ORG_ROLES.filter((r) => isOwner || r !== 'owner').map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit">Invite</button>
      </form>
      {link && (
        <p className="notice" role="status">
          Send this link to the invitee: <code data-testid="invitation-link">{link}</code>
        </p>
      )}
      <ErrorBox error={error ?? invitations.error} />
      <table className="grid">
        <tbody>
          {invitations.data?.map((i) => (
            <tr key={i.id}>
              <td>{i.email}</td>
              <td>{i.role}</td>
              <td>{i.acceptedAt ? 'accepted' : i.revokedAt ? 'revoked' : `expires ${formatTime(i.expiresAt)}`}</td>
              <td>
                {!i.acceptedAt && !i.revokedAt && (
                  <button
                    className="secondary"
                    onClick={() => void del(`${paths.org(org)}/invitations/${i.id}`).then(invitations.reload, setError)}
                  >
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

/** SCIM provisioning: tokens for the identity provider (shown once, with the base URL to give it), revocable. */
function ScimTokens({ org }: { org: string }) {
  const tokens = useResource<ScimToken[]>(paths.orgScimTokens(org));
  const [created, setCreated] = useState<CreatedScimToken | null>(null);
  const [error, setError] = useState<Error | null>(null);
  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setError(null);
    try {
      setCreated(await post<CreatedScimToken>(paths.orgScimTokens(org), { name: String(new FormData(form).get('name')) }));
      form.reset();
      tokens.reload();
    } catch (e) {
      setError(e as Error);
    }
  }
  const baseUrl = `${window.location.origin}${paths.scimBase(org)}`;
  return (
    <section>
      <h2>SCIM provisioning</h2>
      <p className="muted">
        Give your identity provider (Okta, Entra ID, OneLogin…) the SCIM base URL <code>{baseUrl}</code>{' '}
        <CopyButton text={baseUrl} label="Copy URL" /> and a token. Users it provisions become members; deactivating them ends their access
        at once; its groups map to roles through the single sign-on group mappings.
      </p>
      <form onSubmit={create} className="inline" aria-label="Create SCIM token">
        <label>
          Token name <input name="name" required placeholder="okta" />
        </label>
        <button type="submit">Create SCIM token</button>
      </form>
      {created && (
        <p className="notice" role="status">
          Copy this token now; it will not be shown again: <code data-testid="new-scim-token">{created.token}</code>{' '}
          <CopyButton text={created.token} label="Copy token" />
        </p>
      )}
      <ErrorBox error={error ?? tokens.error} />
      <table className="grid" aria-label="SCIM tokens">
        <tbody>
          {tokens.data?.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>
                <code>{t.prefix}</code>
              </td>
              <td>{formatTime(t.createdAt)}</td>
              <td>{t.lastUsedAt ? `used ${formatTime(t.lastUsedAt)}` : 'never used'}</td>
              <td>
                {t.revokedAt ? (
                  <span className="muted">revoked</span>
                ) : (
                  <button className="secondary" onClick={() => void del(paths.orgScimToken(org, t.id)).then(tokens.reload, setError)}>
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

function ServiceAccounts({ org }: { org: string }) {
  const accounts = useResource<ServiceAccount[]>(`${paths.org(org)}/service-accounts`);
  const [created, setCreated] = useState<CreatedServiceAccount | null>(null);
  const [error, setError] = useState<Error | null>(null);
  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      setCreated(
        await post<CreatedServiceAccount>(`${paths.org(org)}/service-accounts`, {
          name: String(form.get('name')),
          role: String(form.get('role')),
        }),
      );
      accounts.reload();
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <section>
      <h2>Service accounts</h2>
      <form onSubmit={create} className="inline" aria-label="Create service account">
        <label>
          Name <input name="name" required placeholder="ci-bot" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="member">
            <option>member</option>
            <option>admin</option>
          </select>
        </label>
        <button type="submit">Create service account</button>
      </form>
      {created && (
        <p className="notice" role="status">
          Key for {created.serviceAccount.name} (shown once): <code>{created.apiKey.key}</code>
        </p>
      )}
      <ErrorBox error={error ?? accounts.error} />
      <table className="grid">
        <tbody>
          {accounts.data?.map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{a.role}</td>
              <td>{formatTime(a.createdAt)}</td>
              <td>
                <button
                  className="secondary"
                  onClick={() => void del(`${paths.org(org)}/service-accounts/${a.id}`).then(accounts.reload, setError)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AuditLog({ org }: { org: string }) {
  const log = useResource<{ items: AuditEntry[] }>(`${paths.org(org)}/audit-log?limit=100`);
  return (
    <section>
      <h2>Audit log</h2>
      <ErrorBox error={log.error} />
      <table className="grid">
        <tbody>
          {log.data?.items.map((e) => (
            <tr key={e.id}>
              <td>{formatTime(e.createdAt)}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.targetType}</td>
              <td className="muted">{JSON.stringify(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
