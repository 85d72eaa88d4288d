import type { PutSsoConfigRequest, SsoConfig, SsoDomain, SsoProtocol } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useEffect, useState, type FormEvent } from 'react';
import { del, post, put } from '../api/client';
import { useResource } from '../api/hooks';
import { CopyButton } from '../components/CopyButton';
import { ErrorBox, formatTime } from '../components/ui';

/** A value to register at the identity provider, with a copy button. */
function Registered({ label, value }: { label: string; value: string }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>
        <code>{value}</code>
      </td>
      <td>
        <CopyButton text={value} label={`Copy ${label}`} />
      </td>
    </tr>
  );
}

/**
 * Single sign-on for the organization (owners): the identity provider (OpenID Connect or SAML 2.0), what to register
 * at it, the email domains verified by DNS, and whether members must sign in through it.
 */
export function SsoSettings({ org }: { org: string }) {
  const config = useResource<SsoConfig>(paths.orgSso(org));
  const configured = config.data;
  const notConfigured = config.error?.code === 'sso_not_configured';
  const [protocol, setProtocol] = useState<SsoProtocol>('oidc');
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (configured) setProtocol(configured.protocol);
  }, [configured]);

  const origin = window.location.origin;
  const spEntityId = configured?.saml?.spEntityId ?? `${origin}${paths.samlMetadata(org)}`;
  const acsUrl = configured?.saml?.acsUrl ?? `${origin}${paths.samlAcs(org)}`;
  const redirectUri = configured?.redirectUri ?? `${origin}${paths.ssoCallback(org)}`;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const body: PutSsoConfigRequest = {
      protocol,
      groupMappings: configured?.groupMappings ?? [],
      defaultOrgRole: configured?.defaultOrgRole ?? 'member',
      requireSso: form.get('requireSso') === 'on',
      enabled: true,
    };
    if (protocol === 'oidc') {
      body.issuer = text('issuer');
      body.clientId = text('clientId');
      if (text('clientSecret')) body.clientSecret = text('clientSecret');
      body.scopes = configured?.scopes;
      body.groupsClaim = text('groupsClaim') || 'groups';
    } else {
      body.saml = {
        idpEntityId: text('idpEntityId'),
        ssoUrl: text('ssoUrl'),
        idpCertificates: text('idpCertificates')
          .split(/(?<=-----END CERTIFICATE-----)/)
          .map((c) => c.trim())
          .filter(Boolean),
        emailAttribute: text('emailAttribute') || 'email',
        nameAttribute: text('nameAttribute') || 'name',
        groupsAttribute: text('groupsAttribute') || 'groups',
      };
    }
    try {
      await put<SsoConfig>(paths.orgSso(org), body);
      setError(null);
      setSaved(true);
      config.reload();
    } catch (e) {
      setSaved(false);
      setError(e as Error);
    }
  }

  if (config.error && !notConfigured) return <ErrorBox error={config.error} />;
  if (!configured && !notConfigured) return null;
  const saml = configured?.protocol === 'saml' ? configured.saml : null;
  return (
    <section aria-label="Single sign-on">
      <h2>Single sign-on</h2>
      <form onSubmit={save} aria-label="Identity provider" key={configured?.updatedAt ?? 'new'}>
        <label>
          Protocol{' '}
          <select name="protocol" value={protocol} onChange={(e) => setProtocol(e.target.value as SsoProtocol)}>
            <option value="oidc">OpenID Connect</option>
            <option value="saml">SAML 2.0</option>
          </select>
        </label>
        <h3>Register Trackbase at your identity provider</h3>
        <table className="grid">
          <tbody>
            {protocol === 'saml' ? (
              <>
                <Registered label="SP entity ID (metadata URL)" value={spEntityId} />
                <Registered label="ACS URL" value={acsUrl} />
              </>
            ) : (
              <Registered label="Redirect URI" value={redirectUri} />
            )}
          </tbody>
        </table>
        {protocol === 'oidc' ? (
          <fieldset>
            <legend>OpenID Connect provider</legend>
            <label>
              Issuer <input name="issuer" type="url" required defaultValue={configured?.issuer ?? ''} />
            </label>
            <label>
              Client ID <input name="clientId" required defaultValue={configured?.clientId ?? ''} />
            </label>
            <label>
              Client secret{' '}
              <input
                name="clientSecret"
                type="password"
                autoComplete="off"
                placeholder={configured?.hasClientSecret ? 'stored: leave empty to keep it' : ''}
                required={!configured?.hasClientSecret}
              />
            </label>
            <label>
              Groups claim <input name="groupsClaim" defaultValue={configured?.groupsClaim ?? 'groups'} />
            </label>
          </fieldset>
        ) : (
          <fieldset>
            <legend>SAML identity provider</legend>
            <label>
              IdP entity ID <input name="idpEntityId" required defaultValue={saml?.idpEntityId ?? ''} />
            </label>
            <label>
              IdP SSO URL <input name="ssoUrl" type="url" required defaultValue={saml?.ssoUrl ?? ''} />
            </label>
            <label>
              IdP signing certificates (PEM; two while the IdP rolls its key over){' '}
              <textarea name="idpCertificates" rows={6} required defaultValue={saml?.idpCertificates.join('\n') ?? ''} />
            </label>
            <label>
              Email attribute <input name="emailAttribute" defaultValue={saml?.emailAttribute ?? 'email'} />
            </label>
            <label>
              Name attribute <input name="nameAttribute" defaultValue={saml?.nameAttribute ?? 'name'} />
            </label>
            <label>
              Groups attribute <input name="groupsAttribute" defaultValue={saml?.groupsAttribute ?? 'groups'} />
            </label>
          </fieldset>
        )}
        <label className="inline">
          <input name="requireSso" type="checkbox" defaultChecked={configured?.requireSso ?? false} /> Require single sign-on for members
          (passwords and personal API keys are refused in this organization; service accounts keep working)
        </label>
        {configured && configured.groupMappings.length > 0 && (
          <p className="muted">{configured.groupMappings.length} group mapping(s) kept as they are.</p>
        )}
        <button type="submit">Save single sign-on</button>
        {saved && <span role="status"> Saved.</span>}
      </form>
      <ErrorBox error={error} />
      <Domains org={org} />
    </section>
  );
}

/** Email domains: claimed here, verified by a DNS TXT record; only verified ones route sign-ins. */
function Domains({ org }: { org: string }) {
  const domains = useResource<SsoDomain[]>(paths.orgSsoDomains(org));
  const [error, setError] = useState<Error | null>(null);
  const run = (work: Promise<unknown>) =>
    work.then(
      () => {
        setError(null);
        domains.reload();
      },
      (e: Error) => setError(e),
    );
  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem('domain') as HTMLInputElement;
    await run(post(paths.orgSsoDomains(org), { domain: input.value.trim() }));
    input.value = '';
  }
  return (
    <section aria-label="Email domains">
      <h3>Email domains</h3>
      <p className="muted">
        People whose email is of a verified domain are sent to your identity provider from the sign-in page. Publish the TXT record shown at
        the domain, then verify.
      </p>
      <table className="grid">
        <tbody>
          {domains.data?.map((d) => (
            <tr key={d.domain} aria-label={d.domain}>
              <td>{d.domain}</td>
              <td>{d.verified ? <span>verified {formatTime(d.verifiedAt)}</span> : <span className="muted">not verified</span>}</td>
              <td>
                <code>{d.txtRecordValue}</code> <CopyButton text={d.txtRecordValue} label={`Copy TXT record of ${d.domain}`} />
              </td>
              <td>
                {!d.verified && (
                  <button type="button" onClick={() => void run(post(paths.orgSsoDomainVerify(org, d.domain)))}>
                    Verify
                  </button>
                )}{' '}
                <button type="button" className="secondary" onClick={() => void run(del(paths.orgSsoDomain(org, d.domain)))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void add(e)} className="inline" aria-label="Add domain">
        <label>
          Domain <input name="domain" required placeholder="example.com" />
        </label>
        <button type="submit">Add domain</button>
      </form>
      <ErrorBox error={error ?? domains.error} />
    </section>
  );
}
