import type { TokenPair } from '@trackbase/contracts';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiClient, createProject, createServiceAccount, signup, uniqueSlug, type TestUser } from '../../test/api-client';
import { startDnsServer, verifyDomainThroughDns, type TestDnsServer } from '../../test/dns-server';
import { loginAtProvider, startOidcProvider, type TestOidcProvider } from '../../test/oidc-provider';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let idp: TestOidcProvider;
let dns: TestDnsServer;
let owner: TestUser;
const org = uniqueSlug('acme');
const domain = `${org}.test`;
let projectA: string;
let projectB: string;
let manualProject: string;

/** Signs up a password user with a chosen email. */
async function signupAs(email: string, name = 'Someone'): Promise<TestUser> {
  return signup(t.url, name, email);
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

interface Started {
  authorizationUrl: URL;
  cookie: string;
}

async function start(slug = org, returnTo = '/projects'): Promise<Started> {
  const response = await fetch(`${t.url}/api/v1/auth/sso/${slug}/start?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tb_sso='))!
    .split(';')[0]!;
  return { authorizationUrl: new URL(response.headers.get('location')!), cookie };
}

async function callback(url: URL, cookie: string | undefined): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

/** The whole sign-in as a browser does it: start, the provider's login, callback, and the web app's code exchange. */
async function ssoSignIn(login: string, slug = org): Promise<{ tokens: TokenPair; api: ApiClient; landing: string }> {
  const started = await start(slug);
  const back = await loginAtProvider(started.authorizationUrl.href, login, t.url);
  const answer = await callback(back, started.cookie);
  if (answer.status !== 302) throw new Error(`callback answered ${answer.status}: ${await answer.text()}`);
  const landing = answer.headers.get('location')!;
  const code = decodeURIComponent(/#sso_code=(.+)$/.exec(landing)![1]!);
  const exchanged = await new ApiClient(t.url).post<TokenPair>('/auth/sso/exchange', { code });
  expect(exchanged.status).toBe(200);
  return { tokens: exchanged.body, api: new ApiClient(t.url, exchanged.body.accessToken), landing };
}

async function configure(body: Record<string, unknown>, as: ApiClient = owner.api) {
  return as.put(`/orgs/${org}/sso`, {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    emailDomains: [domain],
    groupMappings: [
      { group: 'ml-admins', orgRole: 'admin', projects: [{ project: projectA, role: 'maintainer' }] },
      { group: 'researchers', projects: [{ project: projectB, role: 'contributor' }] },
      { group: 'auditors', projects: [{ project: projectB, role: 'viewer' }] },
    ],
    ...body,
  });
}

/** A live socket following a project, and the run lifecycle events it receives. */
async function followProject(token: string, project: string): Promise<{ socket: Socket; runs: string[] }> {
  const socket = io(t.url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const runs: string[] = [];
  socket.on('run.changed', (event: { runId: string; change: string }) => {
    if (event.change === 'created') runs.push(event.runId);
  });
  expect(await socket.timeout(5_000).emitWithAck('follow', { org, project })).toMatchObject({ ok: true });
  return { socket, runs };
}

async function newRunIn(project: string, as: ApiClient = owner.api): Promise<string> {
  const created = await as.post(`/orgs/${org}/projects/${project}/runs`, {});
  expect(created.status).toBe(201);
  await new Promise((r) => setTimeout(r, 300));
  return created.body.id;
}

async function roleIn(api: ApiClient, slug = org): Promise<string | undefined> {
  const orgs = await api.get<Array<{ slug: string; role: string }>>('/orgs');
  return orgs.body.find((o) => o.slug === slug)?.role;
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
  t = await startTestApp({ SSO_ALLOW_HTTP_ISSUERS: 'true', SSO_DNS_SERVERS: dns.address });
  idp = await startOidcProvider([`${t.url}/api/v1/auth/sso/${org}/callback`]);
  owner = await signupAs(`owner@${domain}`, 'Owner');
  expect((await owner.api.post('/orgs', { name: 'Acme', slug: org })).status).toBe(201);
  projectA = (await createProject(owner, org)).slug;
  projectB = (await createProject(owner, org)).slug;
  manualProject = (await createProject(owner, org)).slug;
  idp.accounts.set('owner', { email: `owner@${domain}`, name: 'Owner', groups: [] });
  idp.accounts.set('bob', { email: `Bob@${domain}`, name: 'Bob Builder', groups: ['ml-admins', 'researchers'] });
  idp.accounts.set('outsider', { email: 'eve@elsewhere.test', name: 'Eve', groups: ['ml-admins'] });
  idp.accounts.set('unverified', { email: `mallory@${domain}`, name: 'Mallory', groups: [], emailVerified: false });
});
afterAll(async () => {
  await t?.close();
  await idp?.close();
  await dns?.close();
});

describe('configuring single sign-on', () => {
  it('only owners configure it; the client secret is stored encrypted and never shown', async () => {
    const admin = await signupAs(`admin-${uniqueSlug('a')}@example.com`);
    const invite = await owner.api.post<{ token: string }>(`/orgs/${org}/invitations`, { email: admin.email, role: 'admin' });
    expect((await admin.api.post(`/invitations/${invite.body.token}/accept`)).status).toBe(200);
    expect((await configure({}, admin.api)).status).toBe(403);

    const saved = await configure({});
    expect(saved.status).toBe(200);
    // The domain is claimed, not verified yet: it routes nobody.
    expect(saved.body.domains).toEqual([expect.objectContaining({ domain, verified: false })]);
    await verifyDomainThroughDns(dns, owner.api, org, domain);
    expect((await owner.api.get(`/orgs/${org}/sso`)).body).toMatchObject({
      protocol: 'oidc',
      issuer: idp.issuer,
      hasClientSecret: true,
      emailDomains: [domain],
      requireSso: false,
      enabled: true,
    });
    expect(saved.body.redirectUri).toBe(`${t.url}/api/v1/auth/sso/${org}/callback`);
    expect(JSON.stringify(saved.body)).not.toContain(idp.clientSecret);
    expect((await admin.api.get(`/orgs/${org}/sso`)).status).toBe(403);
    const [stored] = await t.dataSource.query(
      `SELECT client_secret_encrypted FROM org_sso_configs c JOIN organizations o ON o.id = c.organization_id WHERE o.slug = $1`,
      [org],
    );
    expect(stored.client_secret_encrypted).toMatch(/^v1\./);
    expect(stored.client_secret_encrypted).not.toContain(idp.clientSecret);

    // An update without a secret keeps the stored one (discovery and sign-in keep working below).
    expect((await configure({ clientSecret: undefined })).status).toBe(200);
  });

  it('refuses an unknown project, an unreachable issuer and a domain another organization verified', async () => {
    const unknown = await configure({ groupMappings: [{ group: 'g', projects: [{ project: 'no-such-project', role: 'viewer' }] }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('sso_unknown_project');
    const noOpenid = await configure({ scopes: ['email'] });
    expect(noOpenid.status).toBe(400);
    expect(noOpenid.body.error.details[0].path).toBe('scopes');
    const unreachable = await configure({ issuer: 'http://127.0.0.1:9/' });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.error.code).toBe('sso_discovery_failed');

    const other = await signup(t.url);
    const otherOrg = uniqueSlug('other');
    await other.api.post('/orgs', { name: 'Other', slug: otherOrg });
    const taken = await other.api.post(`/orgs/${otherOrg}/sso/domains`, { domain });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('sso_domain_taken');
  });

  it('an email of a claimed domain is routed to the organization; others are not', async () => {
    const routed = await new ApiClient(t.url).get(`/auth/sso/discover?email=${encodeURIComponent(`someone@${domain.toUpperCase()}`)}`);
    expect(routed.body).toEqual({ sso: true, org, startUrl: `/api/v1/auth/sso/${org}/start` });
    expect((await new ApiClient(t.url).get('/auth/sso/discover?email=someone@nowhere.test')).body).toEqual({ sso: false });
  });
});

describe('signing in through the provider', () => {
  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const { authorizationUrl } = await start();
    expect(authorizationUrl.origin).toBe(idp.issuer);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizationUrl.searchParams.get('state')).toBeTruthy();
    expect(authorizationUrl.searchParams.get('nonce')).toBeTruthy();
    expect(authorizationUrl.searchParams.get('scope')).toBe('openid email profile');
    expect(authorizationUrl.searchParams.get('redirect_uri')).toBe(`${t.url}/api/v1/auth/sso/${org}/callback`);
  });

  it('provisions a new user just in time, with the roles their groups map to', async () => {
    const { tokens, api, landing } = await ssoSignIn('bob');
    expect(landing.startsWith('/projects#sso_code=')).toBe(true);
    expect(tokens.user.email).toBe(`Bob@${domain}`);
    expect(tokens.user.name).toBe('Bob Builder');
    expect(await roleIn(api)).toBe('admin');
    expect(await projectRoles(tokens.user.id)).toEqual({ [projectA]: 'maintainer', [projectB]: 'contributor' });
    expect((await api.get(`/orgs/${org}/projects/${projectA}`)).status).toBe(200);
    // The account has no password.
    expect((await new ApiClient(t.url).post('/auth/login', { email: `bob@${domain}`, password: '' })).status).toBeGreaterThanOrEqual(400);
  });

  it('re-applies the groups at every sign-in: leaving a group takes its roles away', async () => {
    const first = await ssoSignIn('bob');
    const bobId = first.tokens.user.id;
    // A project role given by hand is not SSO's to take.
    expect((await owner.api.put(`/orgs/${org}/projects/${manualProject}/members/${bobId}`, { role: 'viewer' })).status).toBe(200);

    idp.accounts.get('bob')!.groups = ['auditors'];
    const second = await ssoSignIn('bob');
    expect(second.tokens.user.id).toBe(bobId);
    expect(await roleIn(second.api)).toBe('member');
    expect(await projectRoles(bobId)).toEqual({ [projectB]: 'viewer', [manualProject]: 'viewer' });
    expect((await second.api.get(`/orgs/${org}/projects/${projectA}`)).status).toBe(404);
    // The session from before the change follows the new roles too: they are read per request.
    expect((await first.api.patch(`/orgs/${org}/projects/${projectB}`, { name: 'renamed' })).status).toBe(403);

    idp.accounts.get('bob')!.groups = [];
    const third = await ssoSignIn('bob');
    expect(await projectRoles(third.tokens.user.id)).toEqual({ [manualProject]: 'viewer' });
  });

  it('leaving a group ends the live follow of a project that relied on it', async () => {
    idp.accounts.get('bob')!.groups = ['ml-admins'];
    const before = await ssoSignIn('bob');
    const live = await followProject(before.tokens.accessToken, projectA);
    try {
      const first = await newRunIn(projectA);
      expect(live.runs).toEqual([first]);
      idp.accounts.get('bob')!.groups = [];
      await ssoSignIn('bob');
      await newRunIn(projectA);
      expect(live.runs).toEqual([first]);
    } finally {
      live.socket.disconnect();
    }
  });

  it('links the existing account with the same email, and keeps a hand-made owner an owner', async () => {
    const { tokens, api } = await ssoSignIn('owner');
    expect(tokens.user.id).toBe(owner.id);
    expect(await roleIn(api)).toBe('owner');
  });

  it('refuses an email outside the organization domains and one the provider has not verified', async () => {
    for (const login of ['outsider', 'unverified']) {
      const started = await start();
      const back = await loginAtProvider(started.authorizationUrl.href, login, t.url);
      const answer = await callback(back, started.cookie);
      expect(answer.status).toBe(403);
      expect((await errorOf(answer)).code).toBe('sso_email_not_allowed');
    }
    const users = await t.dataSource.query(`SELECT 1 FROM users WHERE email IN ('eve@elsewhere.test', $1)`, [`mallory@${domain}`]);
    expect(users).toHaveLength(0);
  });

  it('sends a failing browser back to the sign-in page with the error code', async () => {
    const started = await start();
    const back = await loginAtProvider(started.authorizationUrl.href, 'outsider', t.url);
    const answer = await fetch(back, { redirect: 'manual', headers: { cookie: started.cookie, accept: 'text/html' } });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/login?sso_error=sso_email_not_allowed');
  });
});

describe('tampering and replay are refused', () => {
  it('a tampered state is refused', async () => {
    const started = await start();
    const back = await loginAtProvider(started.authorizationUrl.href, 'bob', t.url);
    back.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const answer = await callback(back, started.cookie);
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).code).toBe('sso_invalid_state');
  });

  it('a callback without the browser cookie of the sign-in is refused (login CSRF)', async () => {
    const started = await start();
    const back = await loginAtProvider(started.authorizationUrl.href, 'bob', t.url);
    const answer = await callback(back, undefined);
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).code).toBe('sso_invalid_state');
  });

  it('an ID token with another nonce is refused', async () => {
    const started = await start();
    started.authorizationUrl.searchParams.set('nonce', 'a-nonce-the-server-did-not-choose');
    const back = await loginAtProvider(started.authorizationUrl.href, 'bob', t.url);
    const answer = await callback(back, started.cookie);
    expect(answer.status).toBe(401);
    const error = await errorOf(answer);
    expect(error.code).toBe('sso_failed');
    expect(error.message).toMatch(/nonce/);
  });

  it('a PKCE challenge other than the server chose is refused by the provider', async () => {
    const started = await start();
    started.authorizationUrl.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const back = await loginAtProvider(started.authorizationUrl.href, 'bob', t.url);
    const answer = await callback(back, started.cookie);
    expect(answer.status).toBe(401);
    expect((await errorOf(answer)).code).toBe('sso_failed');
  });

  it('a replayed callback and a replayed code are refused', async () => {
    const started = await start();
    const back = await loginAtProvider(started.authorizationUrl.href, 'bob', t.url);
    expect((await callback(back, started.cookie)).status).toBe(302);
    const again = await callback(back, started.cookie);
    expect(again.status).toBe(400);
    expect((await errorOf(again)).code).toBe('sso_invalid_state');

    // The same code under a fresh sign-in's state: the provider refuses the used code (and the PKCE verifier differs).
    const fresh = await start();
    const replay = new URL(back);
    replay.searchParams.set('state', fresh.authorizationUrl.searchParams.get('state')!);
    const answer = await callback(replay, fresh.cookie);
    expect({ status: answer.status, ...(await errorOf(answer)) }).toMatchObject({ status: 401, code: 'sso_failed' });
  });

  it('the one-time code for the tokens works once', async () => {
    const started = await start();
    const back = await loginAtProvider(started.authorizationUrl.href, 'bob', t.url);
    const landing = (await callback(back, started.cookie)).headers.get('location')!;
    const code = decodeURIComponent(/#sso_code=(.+)$/.exec(landing)![1]!);
    expect((await new ApiClient(t.url).post('/auth/sso/exchange', { code })).status).toBe(200);
    const second = await new ApiClient(t.url).post('/auth/sso/exchange', { code });
    expect(second.status).toBe(401);
    expect(second.body.error.code).toBe('sso_invalid_code');
  });

  it('a return path to another site is not followed', async () => {
    const started = await start(org, '//evil.example/steal');
    const back = await loginAtProvider(started.authorizationUrl.href, 'bob', t.url);
    expect((await callback(back, started.cookie)).headers.get('location')).toMatch(/^\/#sso_code=/);
  });
});

describe('an organization that requires single sign-on', () => {
  it('refuses members’ password sessions and personal keys there, but not service accounts or SSO sessions', async () => {
    const member = await signupAs(`carol-${uniqueSlug('c')}@example.com`);
    const invite = await owner.api.post<{ token: string }>(`/orgs/${org}/invitations`, { email: member.email, role: 'member' });
    expect((await member.api.post(`/invitations/${invite.body.token}/accept`)).status).toBe(200);
    const key = await member.api.post<{ key: string }>('/users/me/api-keys', { name: 'laptop' });
    expect(key.status).toBe(201);
    const bot = await createServiceAccount(owner, org);
    const botKey = bot.apiKey.key;
    const shared = (await createProject(owner, org, 'org')).slug;
    const live = await followProject(member.tokens.accessToken, shared);
    const before = await newRunIn(shared);
    expect(live.runs).toEqual([before]);

    // Requiring it from a password session would lock its author out.
    const locked = await configure({ clientSecret: undefined, requireSso: true });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('sso_session_required');
    const ownerSso = await ssoSignIn('owner');
    expect((await configure({ clientSecret: undefined, requireSso: true }, ownerSso.api)).status).toBe(200);

    // The member's password-session socket is disconnected (the organization no longer exists for it, as when a
    // member is removed) and receives none of the organization's later events.
    await vi.waitFor(() => expect(live.socket.connected).toBe(false), { timeout: 5_000 });
    await newRunIn(shared, ownerSso.api);
    expect(live.runs).toEqual([before]);

    for (const api of [member.api, owner.api, member.api.as(key.body.key)]) {
      const refused = await api.get(`/orgs/${org}/projects`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('sso_required');
    }
    // A fresh password sign-in still works (other organizations stay reachable) but not here.
    const login = await new ApiClient(t.url).post<TokenPair>('/auth/login', { email: member.email, password: member.password });
    expect(login.status).toBe(200);
    expect((await new ApiClient(t.url, login.body.accessToken).get(`/orgs/${org}`)).body.error.code).toBe('sso_required');

    expect((await member.api.as(botKey).get(`/orgs/${org}/projects`)).status).toBe(200);
    expect((await ownerSso.api.get(`/orgs/${org}/projects`)).status).toBe(200);
    const bob = await ssoSignIn('bob');
    expect((await bob.api.get(`/orgs/${org}/projects`)).status).toBe(200);
  });
});
