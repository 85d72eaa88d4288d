import type { TokenPair } from '@trackbase/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createProject, signup, uniqueSlug, type TestUser } from '../../test/api-client';
import { startDnsServer, verifyDomainThroughDns, type TestDnsServer } from '../../test/dns-server';
import { startSamlIdp, type SamlPost, type TestSamlIdp } from '../../test/saml-idp';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let idp: TestSamlIdp;
let dns: TestDnsServer;
let owner: TestUser;
const org = uniqueSlug('saml');
const domain = `${org}.test`;
let projectA: string;
let projectB: string;

interface Started {
  authorizeUrl: string;
  cookie: string;
}

async function start(slug = org, returnTo = '/projects'): Promise<Started> {
  const response = await fetch(`${t.url}/api/v1/auth/sso/${slug}/start?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tb_sso='))!
    .split(';')[0]!;
  return { authorizeUrl: response.headers.get('location')!, cookie };
}

/** The IdP's form posted to the ACS as a browser does: cross-site, so without the SameSite=Lax cookie. */
async function postToAcs(post: SamlPost, accept?: string): Promise<Response> {
  return fetch(post.acs, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
    body: new URLSearchParams({ SAMLResponse: post.SAMLResponse, RelayState: post.RelayState }),
  });
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** The whole sign-in as a browser does it: start, the IdP's login, the ACS, the return with the cookie, the code exchange. */
async function samlSignIn(login: string): Promise<{ tokens: TokenPair; api: ApiClient; landing: string }> {
  const started = await start();
  const post = await idp.signIn(started.authorizeUrl, login);
  const acs = await postToAcs(post);
  if (acs.status !== 303) throw new Error(`ACS answered ${acs.status}: ${await acs.text()}`);
  const back = await fetch(new URL(acs.headers.get('location')!, t.url), { redirect: 'manual', headers: { cookie: started.cookie } });
  if (back.status !== 302) throw new Error(`return answered ${back.status}: ${await back.text()}`);
  const landing = back.headers.get('location')!;
  const code = decodeURIComponent(/#sso_code=(.+)$/.exec(landing)![1]!);
  const exchanged = await new ApiClient(t.url).post<TokenPair>('/auth/sso/exchange', { code });
  expect(exchanged.status).toBe(200);
  return { tokens: exchanged.body, api: new ApiClient(t.url, exchanged.body.accessToken), landing };
}

/** A response the IdP produced with the current faults, posted to the ACS: the refusal's status and code. */
async function refused(): Promise<{ status: number; code: string; message: string }> {
  const started = await start();
  const response = await postToAcs(await idp.signIn(started.authorizeUrl, 'bob'));
  const error = await errorOf(response);
  return { status: response.status, ...error };
}

function samlSettings(overrides: Record<string, unknown> = {}) {
  return {
    idpEntityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    idpCertificates: [idp.certificate],
    emailAttribute: 'email',
    nameAttribute: 'displayName',
    groupsAttribute: 'memberOf',
    ...overrides,
  };
}

async function configure(body: Record<string, unknown> = {}, as: ApiClient = owner.api) {
  return as.put(`/orgs/${org}/sso`, {
    protocol: 'saml',
    saml: samlSettings(),
    groupMappings: [
      { group: 'ml-admins', orgRole: 'admin', projects: [{ project: projectA, role: 'maintainer' }] },
      { group: 'researchers', projects: [{ project: projectB, role: 'contributor' }] },
    ],
    ...body,
  });
}

async function roleIn(api: ApiClient): Promise<string | undefined> {
  const orgs = await api.get<Array<{ slug: string; role: string }>>('/orgs');
  return orgs.body.find((o) => o.slug === org)?.role;
}

async function projectRoles(userId: string): Promise<Record<string, string>> {
  const rows: Array<{ slug: string; role: string }> = await t.dataSource.query(
    `SELECT p.slug, pm.role FROM project_members pm JOIN projects p ON p.id = pm.project_id WHERE pm.user_id = $1`,
    [userId],
  );
  return Object.fromEntries(rows.map((r) => [r.slug, r.role]));
}

beforeAll(async () => {
  dns = await startDnsServer();
  t = await startTestApp({ SSO_DNS_SERVERS: dns.address });
  idp = await startSamlIdp();
  owner = await signup(t.url, 'Owner', `owner@${domain}`);
  expect((await owner.api.post('/orgs', { name: 'Saml Org', slug: org })).status).toBe(201);
  projectA = (await createProject(owner, org)).slug;
  projectB = (await createProject(owner, org)).slug;
  idp.accounts.set('owner', { email: `owner@${domain}`, name: 'Owner', groups: [] });
  idp.accounts.set('bob', { email: `bob@${domain}`, name: 'Bob Builder', groups: ['ml-admins', 'researchers'] });
  idp.accounts.set('outsider', { email: 'eve@elsewhere.test', name: 'Eve', groups: ['ml-admins'] });
});
afterAll(async () => {
  await t?.close();
  await idp?.close();
  await dns?.close();
});
afterEach(() => {
  idp.faults = {};
});

describe('configuring SAML', () => {
  it('owners configure the IdP; the service provider metadata names the entity id and the ACS to register', async () => {
    const admin = await signup(t.url);
    const invite = await owner.api.post<{ token: string }>(`/orgs/${org}/invitations`, { email: admin.email, role: 'admin' });
    expect((await admin.api.post(`/invitations/${invite.body.token}/accept`)).status).toBe(200);
    expect((await configure({}, admin.api)).status).toBe(403);

    const saved = await configure();
    expect(saved.status).toBe(200);
    const spEntityId = `${t.url}/api/v1/auth/sso/${org}/saml/metadata`;
    const acsUrl = `${t.url}/api/v1/auth/sso/${org}/saml/acs`;
    expect(saved.body).toMatchObject({
      protocol: 'saml',
      issuer: null,
      clientId: null,
      hasClientSecret: false,
      saml: { idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, groupsAttribute: 'memberOf', spEntityId, acsUrl, metadataUrl: spEntityId },
    });

    const metadata = await fetch(spEntityId);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${spEntityId}"`);
    expect(xml).toContain(`Location="${acsUrl}"`);
    expect(xml).toContain('WantAssertionsSigned="true"');
    await idp.registerServiceProvider(spEntityId);
    await verifyDomainThroughDns(dns, owner.api, org, domain);
  });

  it('refuses a certificate that is not X.509, a SAML configuration with OIDC fields, and one without the IdP', async () => {
    const bad = await configure({
      saml: samlSettings({ idpCertificates: [`-----BEGIN CERTIFICATE-----\n${'A'.repeat(200)}\n-----END CERTIFICATE-----`] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('sso_invalid_certificate');
    const mixed = await configure({ clientId: 'x' });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.details[0].path).toBe('clientId');
    const missing = await owner.api.put(`/orgs/${org}/sso`, { protocol: 'saml' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe('saml');
    // The configuration stays as it was.
    expect((await owner.api.get(`/orgs/${org}/sso`)).body.saml.idpCertificates).toHaveLength(1);
  });

  it('an email of the verified domain is routed to the SAML sign-in', async () => {
    const routed = await new ApiClient(t.url).get(`/auth/sso/discover?email=${encodeURIComponent(`someone@${domain}`)}`);
    expect(routed.body).toEqual({ sso: true, org, startUrl: `/api/v1/auth/sso/${org}/start` });
  });
});

describe('signing in through the SAML IdP', () => {
  it('sends the browser to the IdP with an AuthnRequest by the redirect binding and the state as RelayState', async () => {
    const { authorizeUrl } = await start();
    const url = new URL(authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(idp.ssoUrl);
    expect(url.searchParams.get('SAMLRequest')).toBeTruthy();
    expect(url.searchParams.get('RelayState')!.length).toBeGreaterThanOrEqual(32);
  });

  it('provisions a new user just in time, with the roles their groups map to', async () => {
    const { tokens, api, landing } = await samlSignIn('bob');
    expect(landing).toMatch(/^\/projects#sso_code=/);
    expect(tokens.user).toMatchObject({ email: `bob@${domain}`, name: 'Bob Builder' });
    expect(await roleIn(api)).toBe('admin');
    expect(await projectRoles(tokens.user.id)).toEqual({ [projectA]: 'maintainer', [projectB]: 'contributor' });
    // No password was set: the account signs in only through the IdP.
    expect((await new ApiClient(t.url).post('/auth/login', { email: `bob@${domain}`, password: '' })).status).toBeGreaterThanOrEqual(400);
  });

  it('re-applies the groups at every sign-in: leaving a group takes its roles away', async () => {
    idp.accounts.set('bob', { email: `bob@${domain}`, name: 'Bob Builder', groups: ['researchers'] });
    const { tokens, api } = await samlSignIn('bob');
    expect(await roleIn(api)).toBe('member');
    expect(await projectRoles(tokens.user.id)).toEqual({ [projectB]: 'contributor' });
    idp.accounts.set('bob', { email: `bob@${domain}`, name: 'Bob Builder', groups: [] });
    const again = await samlSignIn('bob');
    expect(await projectRoles(again.tokens.user.id)).toEqual({});
    expect((await again.api.get(`/orgs/${org}/projects/${projectB}`)).status).toBe(404);
    idp.accounts.set('bob', { email: `bob@${domain}`, name: 'Bob Builder', groups: ['ml-admins', 'researchers'] });
  });

  it('refuses an email outside the verified domains', async () => {
    const started = await start();
    const response = await postToAcs(await idp.signIn(started.authorizeUrl, 'outsider'));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('sso_email_not_allowed');
  });

  it('a browser whose response is refused is sent to the sign-in page with the error code', async () => {
    idp.faults = { audience: 'https://someone-else.example/sp' };
    const started = await start();
    const response = await postToAcs(await idp.signIn(started.authorizeUrl, 'bob'), 'text/html,application/xhtml+xml');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?sso_error=sso_failed');
  });
});

describe('forged, altered and replayed responses are refused', () => {
  it('an unsigned response', async () => {
    idp.faults = { sign: 'nothing' };
    expect(await refused()).toMatchObject({ status: 401, code: 'sso_failed' });
  });

  it('a response signed as a whole whose assertion is not signed (signed assertions are required)', async () => {
    idp.faults = { sign: 'response-only' };
    expect(await refused()).toMatchObject({ status: 401, code: 'sso_failed' });
  });

  it('an assertion signed with a key the organization did not register', async () => {
    idp.faults = { signWithOtherKey: true };
    expect(await refused()).toMatchObject({ status: 401, code: 'sso_failed' });
  });

  it('a signed assertion altered after signing (the signature no longer matches)', async () => {
    idp.faults = { tamper: (xml) => xml.replace('>researchers<', '>founders<') };
    const outcome = await refused();
    expect(outcome).toMatchObject({ status: 401, code: 'sso_failed' });
    expect(outcome.message).toMatch(/signature/i);
  });

  it('an assertion for another audience', async () => {
    idp.faults = { audience: 'https://someone-else.example/sp' };
    const outcome = await refused();
    expect(outcome).toMatchObject({ status: 401, code: 'sso_failed' });
    expect(outcome.message).toMatch(/audience/i);
  });

  it('an assertion for another recipient', async () => {
    idp.faults = { recipient: 'https://someone-else.example/acs' };
    const outcome = await refused();
    expect(outcome).toMatchObject({ status: 401, code: 'sso_failed' });
    expect(outcome.message).toMatch(/Recipient/);
  });

  it('a response addressed to another destination', async () => {
    idp.faults = { destination: 'https://someone-else.example/acs' };
    const outcome = await refused();
    expect(outcome).toMatchObject({ status: 401, code: 'sso_failed' });
    expect(outcome.message).toMatch(/addressed/);
  });

  it('an expired assertion (past its NotOnOrAfter)', async () => {
    idp.faults = { notOnOrAfterMs: -10 * 60_000 };
    const outcome = await refused();
    expect(outcome).toMatchObject({ status: 401, code: 'sso_failed' });
    // node-saml's words for a bearer confirmation past its NotOnOrAfter.
    expect(outcome.message).toMatch(/no valid subject confirmation/i);
  });

  it('a response to another AuthnRequest than this sign-in sent', async () => {
    idp.faults = { inResponseTo: '_an-id-this-server-never-sent' };
    const outcome = await refused();
    expect(outcome).toMatchObject({ status: 401, code: 'sso_failed' });
    expect(outcome.message).toMatch(/InResponseTo/);
  });

  it('an assertion from another issuer', async () => {
    idp.faults = { issuer: 'https://impostor.example/idp' };
    expect(await refused()).toMatchObject({ status: 401, code: 'sso_failed' });
  });

  it('a replayed assertion', async () => {
    const started = await start();
    const post = await idp.signIn(started.authorizeUrl, 'bob');
    expect((await postToAcs(post)).status).toBe(303);
    const replay = await postToAcs(post);
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).code).toBe('sso_assertion_replayed');
    const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM saml_assertions WHERE expires_at > now()`);
    expect(row.n).toBeGreaterThan(0);
  });

  it('the return from the ACS without the cookie of the browser that started is refused (login CSRF)', async () => {
    const started = await start();
    const acs = await postToAcs(await idp.signIn(started.authorizeUrl, 'bob'));
    expect(acs.status).toBe(303);
    const back = new URL(acs.headers.get('location')!, t.url);
    const stranger = await fetch(back, { redirect: 'manual', headers: { cookie: 'tb_sso=someone-elses-browser' } });
    expect(stranger.status).toBe(400);
    expect((await errorOf(stranger)).code).toBe('sso_invalid_state');
    // The right browser still completes, once.
    expect((await fetch(back, { redirect: 'manual', headers: { cookie: started.cookie } })).status).toBe(302);
    expect((await fetch(back, { redirect: 'manual', headers: { cookie: started.cookie } })).status).toBe(400);
  });

  it('a RelayState this server did not issue is refused', async () => {
    const started = await start();
    const post = await idp.signIn(started.authorizeUrl, 'bob');
    const response = await postToAcs({ ...post, RelayState: 'not-a-state-of-ours' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('sso_invalid_state');
  });
});

describe('an organization that requires SAML sign-in', () => {
  it('refuses members’ password sessions there, but not sessions signed in through the IdP', async () => {
    const member = await signup(t.url, 'Member', `member@${domain}`);
    const invite = await owner.api.post<{ token: string }>(`/orgs/${org}/invitations`, { email: member.email, role: 'member' });
    expect((await member.api.post(`/invitations/${invite.body.token}/accept`)).status).toBe(200);

    // From a password session, requiring SSO would lock its author out.
    expect((await configure({ requireSso: true })).body.error.code).toBe('sso_session_required');
    const ownerSso = await samlSignIn('owner');
    expect(await roleIn(ownerSso.api)).toBe('owner');
    expect((await configure({ requireSso: true }, ownerSso.api)).status).toBe(200);

    for (const api of [member.api, owner.api]) {
      const refusedHere = await api.get(`/orgs/${org}/projects`);
      expect(refusedHere.status).toBe(403);
      expect(refusedHere.body.error.code).toBe('sso_required');
    }
    expect((await ownerSso.api.get(`/orgs/${org}/projects`)).status).toBe(200);
    const bob = await samlSignIn('bob');
    expect((await bob.api.get(`/orgs/${org}/projects`)).status).toBe(200);
  });
});
