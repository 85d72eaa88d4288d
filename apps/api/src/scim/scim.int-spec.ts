import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, signup, uniqueSlug, type TestUser } from '../../test/api-client';
import { startOidcProvider, type TestOidcProvider } from '../../test/oidc-provider';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let idp: TestOidcProvider;
let owner: TestUser;
let org: string;
let token: string;

interface Scim {
  status: number;
  body: any;
  headers: Headers;
}

async function scim(method: string, path: string, body?: unknown, bearer: string | null = token, slug = org): Promise<Scim> {
  const response = await fetch(`${t.url}/scim/v2/${slug}${path}`, {
    method,
    headers: {
      ...(bearer && { authorization: `Bearer ${bearer}` }),
      ...(body !== undefined && { 'content-type': 'application/scim+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function newToken(as: TestUser, slug: string): Promise<string> {
  const created = await as.api.post<{ token: string }>(`/orgs/${slug}/scim-tokens`, { name: 'okta' });
  expect(created.status).toBe(201);
  return created.body.token;
}

function userBody(email: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: email,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: email, type: 'work', primary: true }],
    active: true,
    ...extra,
  };
}

async function roleIn(userId: string, slug = org): Promise<string | undefined> {
  const rows: Array<{ role: string }> = await t.dataSource.query(
    `SELECT m.role FROM org_members m JOIN organizations o ON o.id = m.organization_id WHERE o.slug = $1 AND m.user_id = $2`,
    [slug, userId],
  );
  return rows[0]?.role;
}

function patchOp(...operations: unknown[]) {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations };
}

beforeAll(async () => {
  t = await startTestApp({ SSO_ALLOW_HTTP_ISSUERS: 'true' });
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  token = await newToken(owner, org);
  idp = await startOidcProvider([`${t.url}/api/v1/auth/sso/${org}/callback`]);
});
afterAll(async () => {
  await t?.close();
  await idp?.close();
});

describe('SCIM tokens', () => {
  it('only owners manage them, from a session; a revoked token is refused at once; the audit log records both', async () => {
    const admin = await addOrgMember(owner, org, 'admin');
    expect((await admin.api.post(`/orgs/${org}/scim-tokens`, { name: 'x' })).status).toBe(403);
    const key = (await owner.api.post<{ key: string }>('/users/me/api-keys', { name: 'k' })).body.key;
    expect((await owner.api.as(key).post(`/orgs/${org}/scim-tokens`, { name: 'x' })).body.error.code).toBe('session_required');

    const created = await owner.api.post<{ id: string; token: string; baseUrl: string; prefix: string }>(`/orgs/${org}/scim-tokens`, {
      name: 'entra',
    });
    expect(created.body.baseUrl).toBe(`${t.url}/scim/v2/${org}`);
    expect(created.body.token.startsWith(created.body.prefix)).toBe(true);
    expect((await scim('GET', '/Users', undefined, created.body.token)).status).toBe(200);
    const stored: Array<{ token_hash: Buffer }> = await t.dataSource.query(`SELECT token_hash FROM scim_tokens WHERE id = $1`, [
      created.body.id,
    ]);
    expect(stored[0]!.token_hash.toString('utf8')).not.toContain(created.body.token.slice(20));

    expect((await owner.api.delete(`/orgs/${org}/scim-tokens/${created.body.id}`)).status).toBe(204);
    const refused = await scim('GET', '/Users', undefined, created.body.token);
    expect(refused.status).toBe(401);
    expect(refused.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const listed = await owner.api.get<Array<{ id: string; revokedAt: string | null }>>(`/orgs/${org}/scim-tokens`);
    expect(listed.body.find((x) => x.id === created.body.id)?.revokedAt).toBeTruthy();
    const audit = await owner.api.get<{ items: Array<{ action: string; targetId: string }> }>(`/orgs/${org}/audit-log`);
    const actions = audit.body.items.filter((e) => e.targetId === created.body.id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['scim_token.created', 'scim_token.revoked']));
  });

  it("another organization's token is 401, and no token or a garbage one is 401", async () => {
    const other = await createOrg(owner);
    const otherToken = await newToken(owner, other.slug);
    expect((await scim('GET', '/Users', undefined, otherToken)).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, null)).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, 'tbscim_zz_nope')).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, `${token.slice(0, -4)}0000`)).status).toBe(401);
  });
});

describe('SCIM users', () => {
  it('creates a member, reads, lists, filters and pages them', async () => {
    const email = `${uniqueSlug('ada')}@example.com`;
    const created = await scim('POST', '/Users', userBody(email, { externalId: 'okta-1' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/scim+json');
    expect(created.headers.get('location')).toBe(`${t.url}/scim/v2/${org}/Users/${created.body.id}`);
    expect(created.body).toMatchObject({ userName: email, externalId: 'okta-1', active: true, meta: { resourceType: 'User' } });
    expect(await roleIn(created.body.id)).toBe('member');

    expect((await scim('GET', `/Users/${created.body.id}`)).body.emails).toEqual([{ value: email, type: 'work', primary: true }]);
    // userName is not case-exact: an identity provider looking someone up by another casing finds them.
    const byName = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email.toUpperCase()}"`)}`);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].id).toBe(created.body.id);
    const byExternal = await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "okta-1"')}`);
    expect(byExternal.body.Resources.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    const complex = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`emails[type eq "work" and value co "${email.split('@')[0]}"] and name.familyName sw "Love"`)}`,
    );
    expect(complex.body.totalResults).toBe(1);
    const none = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const malformed = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.scimType).toBe('invalidFilter');

    await scim('POST', '/Users', userBody(`${uniqueSlug('b')}@example.com`));
    await scim('POST', '/Users', userBody(`${uniqueSlug('c')}@example.com`));
    const all = await scim('GET', '/Users');
    const second = await scim('GET', '/Users?startIndex=2&count=1');
    expect(second.body).toMatchObject({ startIndex: 2, itemsPerPage: 1, totalResults: all.body.totalResults });
    expect(second.body.Resources[0].id).toBe(all.body.Resources[1].id);
    const projected = await scim('GET', `/Users/${created.body.id}?attributes=userName`);
    expect(Object.keys(projected.body).sort()).toEqual(['id', 'schemas', 'userName']);

    const duplicate = await scim('POST', '/Users', userBody(email.toUpperCase()));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it('refuses bad input with SCIM errors, never a 500', async () => {
    const noEmail = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x' });
    expect(noEmail).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect((await scim('POST', '/Users', userBody('not-an-email'))).status).toBe(400);
    expect((await scim('POST', '/Users', userBody(`${uniqueSlug('t')}@example.com`, { active: 'maybe' }))).body.scimType).toBe(
      'invalidValue',
    );
    const created = (await scim('POST', '/Users', userBody(`${uniqueSlug('p')}@example.com`))).body;
    expect((await scim('PATCH', `/Users/${created.id}`, patchOp({ op: 'jump', path: 'active', value: false }))).body.scimType).toBe(
      'invalidSyntax',
    );
    expect((await scim('PATCH', `/Users/${created.id}`, patchOp({ op: 'replace', path: 'nope', value: 1 }))).body.scimType).toBe(
      'invalidPath',
    );
    expect((await scim('PATCH', `/Users/${created.id}`, patchOp({ op: 'remove' }))).body.scimType).toBe('noTarget');
    expect((await scim('PATCH', `/Users/${created.id}`, patchOp({ op: 'remove', path: 'userName' }))).body.scimType).toBe('invalidValue');
    const bad = await fetch(`${t.url}/scim/v2/${org}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: '{"userName":',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { scimType: string }).scimType).toBe('invalidSyntax');
    expect((await scim('GET', '/Users/not-a-uuid')).status).toBe(404);
    expect((await scim('GET', '/Nothing/here')).body).toMatchObject({ status: '404' });
    expect((await scim('DELETE', '/ServiceProviderConfig')).status).toBe(405);
  });

  it('PATCH add, replace and remove, with value filters and Entra-style values', async () => {
    const email = `${uniqueSlug('grace')}@example.com`;
    const { id } = (await scim('POST', '/Users', userBody(email))).body;
    const patched = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp(
        { op: 'add', path: 'emails', value: [{ value: `home-${email}`, type: 'home' }] },
        { op: 'replace', path: 'name.givenName', value: 'Grace' },
        { op: 'Replace', path: 'emails[type eq "home"].value', value: `other-${email}` },
        { op: 'add', value: { title: 'Admiral', 'name.familyName': 'Hopper' } },
        { op: 'replace', path: 'displayName', value: 'Grace Hopper' },
      ),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.name).toEqual({ givenName: 'Grace', familyName: 'Hopper' });
    expect(patched.body.emails).toEqual([
      { value: email, type: 'work', primary: true },
      { value: `other-${email}`, type: 'home' },
    ]);
    expect(patched.body.title).toBe('Admiral');
    const removed = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'remove', path: 'emails[type eq "home"]' }, { op: 'remove', path: 'title' }),
    );
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.emails).toHaveLength(1);
    expect(removed.body.title).toBeUndefined();
    const people: Array<{ name: string }> = await t.dataSource.query(`SELECT name FROM users WHERE id = $1`, [id]);
    expect(people[0]!.name).toBe('Grace Hopper');
  });

  it("another organization's user id is 404 for every method", async () => {
    const other = await createOrg(owner);
    const otherToken = await newToken(owner, other.slug);
    const theirs = await scim('POST', '/Users', userBody(`${uniqueSlug('x')}@example.com`), otherToken, other.slug);
    expect(theirs.status).toBe(201);
    const id = theirs.body.id;
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
    expect((await scim('PUT', `/Users/${id}`, userBody(`${uniqueSlug('y')}@example.com`))).status).toBe(404);
    expect((await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }))).status).toBe(404);
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(404);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}"`)}`)).body.totalResults).toBe(0);
    // Nor can a group of this organization take them as a member.
    const group = await scim('POST', '/Groups', { displayName: uniqueSlug('g'), members: [{ value: id }] });
    expect(group).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect(await roleIn(id, other.slug)).toBe('member');
  });

  it('does not take over an account outside the organization by its email', async () => {
    const stranger = await signup(t.url, 'Stranger');
    const taken = await scim('POST', '/Users', userBody(stranger.email));
    expect(taken).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
    expect(await roleIn(stranger.id)).toBeUndefined();
  });
});

describe('deactivation and deletion', () => {
  /** A member with a password session, linked by SCIM, and a live socket following a project of the organization. */
  async function linkedMemberWithSocket(): Promise<{ member: TestUser; id: string; socket: Socket; ended: Promise<string> }> {
    const member = await addOrgMember(owner, org, 'member');
    const linked = await scim('POST', '/Users', userBody(member.email));
    expect(linked.status).toBe(201);
    expect(linked.body.id).toBe(member.id);
    const socket = io(t.url, {
      path: '/socket.io',
      auth: { token: member.tokens.accessToken },
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ended = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(String(reason))));
    expect(
      await socket.timeout(10_000).emitWithAck('follow', { org, project: (await createProject(owner, org, 'org')).slug }),
    ).toMatchObject({
      ok: true,
    });
    return { member, id: linked.body.id, socket, ended };
  }

  it('active=false ends the membership, the sessions and the live socket at once; active=true brings the membership back', async () => {
    const { member, id, socket, ended } = await linkedMemberWithSocket();
    const deactivated = await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', value: { active: 'False' } }));
    expect(deactivated.body.active).toBe(false);
    expect(await ended).toBe('io server disconnect');
    socket.close();
    expect(await roleIn(id)).toBeUndefined();
    expect((await member.api.get('/users/me')).status).toBe(401);
    expect(
      (await owner.api.get(`/orgs/${org}/audit-log`)).body.items.some(
        (e: { action: string; targetId: string }) => e.action === 'scim.user_deactivated' && e.targetId === id,
      ),
    ).toBe(true);

    const reactivated = await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: true }));
    expect(reactivated.body.active).toBe(true);
    expect(await roleIn(id)).toBe('member');
  });

  it('DELETE removes the membership and disconnects the socket; the account stays', async () => {
    const { id, socket, ended } = await linkedMemberWithSocket();
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    socket.close();
    expect(await roleIn(id)).toBeUndefined();
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
    const people: unknown[] = await t.dataSource.query(`SELECT 1 FROM users WHERE id = $1`, [id]);
    expect(people).toHaveLength(1);
  });

  it("the organization's last owner cannot be deactivated by provisioning", async () => {
    const linked = await scim('POST', '/Users', userBody(owner.email));
    expect(linked.status).toBe(201);
    const refused = await scim('PATCH', `/Users/${linked.body.id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    expect(refused).toMatchObject({ status: 400, body: { scimType: 'mutability' } });
    expect(await roleIn(owner.id)).toBe('owner');
  });
});

describe('SCIM groups feed the group mappings', () => {
  it('joining a mapped group grants its roles, leaving takes them back', async () => {
    const mapped = (await createProject(owner, org)).slug;
    const configured = await owner.api.put(`/orgs/${org}/sso`, {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      emailDomains: [`${org}.test`],
      groupMappings: [{ group: 'ML Admins', orgRole: 'admin', projects: [{ project: mapped, role: 'maintainer' }] }],
    });
    expect(configured.status).toBe(200);
    const user = (await scim('POST', '/Users', userBody(`${uniqueSlug('m')}@example.com`))).body;
    const bystander = (await scim('POST', '/Users', userBody(`${uniqueSlug('n')}@example.com`))).body;
    const group = await scim('POST', '/Groups', { displayName: 'ML Admins', members: [{ value: bystander.id }] });
    expect(group.status).toBe(201);
    expect(await roleIn(bystander.id)).toBe('admin');

    const added = await scim('PATCH', `/Groups/${group.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }));
    expect(added.body.members.map((m: { value: string }) => m.value).sort()).toEqual([bystander.id, user.id].sort());
    expect(await roleIn(user.id)).toBe('admin');
    const roles: Array<{ role: string }> = await t.dataSource.query(
      `SELECT pm.role FROM project_members pm JOIN projects p ON p.id = pm.project_id WHERE p.slug = $1 AND pm.user_id = $2`,
      [mapped, user.id],
    );
    expect(roles.map((r) => r.role)).toEqual(['maintainer']);
    expect((await scim('GET', `/Users/${user.id}`)).body.groups).toEqual([
      expect.objectContaining({ value: group.body.id, display: 'ML Admins' }),
    ]);
    const byMember = await scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${user.id}"]`)}`);
    expect(byMember.body.Resources.map((g: { id: string }) => g.id)).toEqual([group.body.id]);

    const left = await scim('PATCH', `/Groups/${group.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${user.id}"]` }));
    expect(left.body.members.map((m: { value: string }) => m.value)).toEqual([bystander.id]);
    expect(await roleIn(user.id)).toBe('member');
    const after: unknown[] = await t.dataSource.query(`SELECT 1 FROM project_members WHERE user_id = $1`, [user.id]);
    expect(after).toHaveLength(0);

    expect((await scim('DELETE', `/Groups/${group.body.id}`)).status).toBe(204);
    expect(await roleIn(bystander.id)).toBe('member');
  });

  it('a group of another organization is 404', async () => {
    const other = await createOrg(owner);
    const otherToken = await newToken(owner, other.slug);
    const theirs = await scim('POST', '/Groups', { displayName: 'theirs' }, otherToken, other.slug);
    expect(theirs.status).toBe(201);
    expect((await scim('GET', `/Groups/${theirs.body.id}`)).status).toBe(404);
    expect((await scim('DELETE', `/Groups/${theirs.body.id}`)).status).toBe(404);
  });
});
