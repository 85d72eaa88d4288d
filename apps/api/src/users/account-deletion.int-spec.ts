import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'org')).slug;
});
afterAll(async () => {
  await t?.close();
});

describe('DELETE /users/me', () => {
  it('needs the password and the typed email, from a session (not a key)', async () => {
    const member = await addOrgMember(owner, org, 'member');
    const key = (await member.api.post<{ key: string }>('/users/me/api-keys', { name: 'k' })).body.key;
    expect(
      (await member.api.as(key).request('DELETE', '/users/me', { confirm: member.email, password: member.password })).body.error.code,
    ).toBe('session_required');
    const wrong = await member.api.request('DELETE', '/users/me', { confirm: member.email, password: 'nope' });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'reauthentication_required' } } });
    expect((await member.api.request('DELETE', '/users/me', { confirm: member.email })).status).toBe(403);
    const mismatch = await member.api.request('DELETE', '/users/me', { confirm: 'someone@else.test', password: member.password });
    expect(mismatch).toMatchObject({ status: 400, body: { error: { code: 'confirmation_mismatch' } } });
    expect((await member.api.get('/users/me')).status).toBe(200);
  });

  it('ends sessions, keys, memberships and live sockets; what they made stays, attributed to a deleted user', async () => {
    const member = await addOrgMember(owner, org, 'admin');
    const run = await member.api.post<{ id: string }>(`/orgs/${org}/projects/${project}/runs`, { name: 'kept' });
    expect(run.status).toBe(201);
    const key = (await member.api.post<{ key: string }>('/users/me/api-keys', { name: 'k' })).body.key;
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

    const deleted = await member.api.request('DELETE', '/users/me', { confirm: member.email.toUpperCase(), password: member.password });
    expect(deleted.status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    socket.close();
    expect((await member.api.get('/users/me')).status).toBe(401);
    expect((await member.api.as(key).get('/users/me')).status).toBe(401);
    const login = await member.api.as(undefined).post('/auth/login', { email: member.email, password: member.password });
    expect(login.status).toBe(401);

    const members = await owner.api.get<Array<{ userId: string }>>(`/orgs/${org}/members`);
    expect(members.body.some((m) => m.userId === member.id)).toBe(false);
    const kept = await owner.api.get<{ id: string }>(`/orgs/${org}/projects/${project}/runs/${run.body.id}`);
    expect(kept.status).toBe(200);
    const rows: Array<{ email: string | null; name: string; deleted_at: Date | null; password_hash: string | null }> =
      await t.dataSource.query(`SELECT email, name, deleted_at, password_hash FROM users WHERE id = $1`, [member.id]);
    expect(rows[0]).toMatchObject({ email: null, name: 'Deleted user', password_hash: null });
    expect(rows[0]!.deleted_at).toBeTruthy();
    // The email is free again: signing up with it makes a new, separate account.
    const again = await signup(t.url, 'Again', member.email);
    expect(again.id).not.toBe(member.id);
  });

  it('refuses the only owner of an organization until they hand it over', async () => {
    const soleOwner = await signup(t.url, 'Sole');
    const mine = (await createOrg(soleOwner)).slug;
    const refused = await soleOwner.api.request('DELETE', '/users/me', { confirm: soleOwner.email, password: soleOwner.password });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'sole_owner' } } });
    expect(refused.body.error.message).toContain(mine);
  });
});
