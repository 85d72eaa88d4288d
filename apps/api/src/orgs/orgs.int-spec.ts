import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, createServiceAccount, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let owner: TestUser;
let org: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
});
afterAll(() => t.close());

describe('organizations keep an owner', () => {
  it('the only owner can neither be demoted nor removed, nor leave', async () => {
    const o = await signup(t.url);
    const slug = (await createOrg(o)).slug;
    const demote = await o.api.patch(`/orgs/${slug}/members/${o.id}`, { role: 'admin' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('last_owner');
    expect((await o.api.delete(`/orgs/${slug}/members/${o.id}`)).body.error.code).toBe('last_owner');
  });

  it('with a second owner, the first may step down', async () => {
    const o = await signup(t.url);
    const slug = (await createOrg(o)).slug;
    const second = await addOrgMember(o, slug, 'owner');
    expect((await second.api.patch(`/orgs/${slug}/members/${o.id}`, { role: 'member' })).status).toBe(200);
    expect((await second.api.patch(`/orgs/${slug}/members/${second.id}`, { role: 'member' })).body.error.code).toBe('last_owner');
  });

  it('admins cannot touch owners or make owners', async () => {
    const admin = await addOrgMember(owner, org, 'admin');
    const member = await addOrgMember(owner, org, 'member');
    expect((await admin.api.patch(`/orgs/${org}/members/${owner.id}`, { role: 'member' })).body.error.code).toBe('owner_only');
    expect((await admin.api.delete(`/orgs/${org}/members/${owner.id}`)).body.error.code).toBe('owner_only');
    expect((await admin.api.patch(`/orgs/${org}/members/${member.id}`, { role: 'owner' })).body.error.code).toBe('owner_only');
    expect((await admin.api.post(`/orgs/${org}/invitations`, { email: 'boss@example.com', role: 'owner' })).body.error.code).toBe(
      'owner_only',
    );
    expect((await admin.api.patch(`/orgs/${org}/members/${member.id}`, { role: 'admin' })).status).toBe(200);
  });

  it('a member may leave; removing them drops their project roles too', async () => {
    const member = await addOrgMember(owner, org, 'member');
    const project = (await createProject(owner, org)).slug;
    await owner.api.put(`/orgs/${org}/projects/${project}/members/${member.id}`, { role: 'viewer' });
    expect((await member.api.delete(`/orgs/${org}/members/${member.id}`)).status).toBe(204);
    expect((await member.api.get(`/orgs/${org}`)).status).toBe(404);
    const projectMembers = (await owner.api.get(`/orgs/${org}/projects/${project}/members`)).body;
    expect(projectMembers.map((m: { userId: string }) => m.userId)).not.toContain(member.id);
  });
});

describe('invitations', () => {
  it('the invited address accepts and gets the role; the token works once', async () => {
    const invitee = await signup(t.url);
    const invitation = (await owner.api.post(`/orgs/${org}/invitations`, { email: invitee.email.toUpperCase(), role: 'admin' })).body;
    expect(invitation.acceptPath).toContain(invitation.token);
    const accepted = await invitee.api.post(`/invitations/${invitation.token}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ slug: org, role: 'admin' });
    expect((await invitee.api.post(`/invitations/${invitation.token}/accept`)).body.error.code).toBe('invitation_used');
  });

  it('someone else signed in cannot use the link', async () => {
    const invitation = (await owner.api.post(`/orgs/${org}/invitations`, { email: 'intended@example.com', role: 'member' })).body;
    const other = await signup(t.url);
    const response = await other.api.post(`/invitations/${invitation.token}/accept`);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('invitation_not_for_you');
    expect((await other.api.get(`/orgs/${org}`)).status).toBe(404);
  });

  it('an expired invitation is refused with 410, a revoked one is gone', async () => {
    const invitee = await signup(t.url);
    const expired = (await owner.api.post(`/orgs/${org}/invitations`, { email: invitee.email, role: 'member' })).body;
    await t.dataSource.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.id]);
    const late = await invitee.api.post(`/invitations/${expired.token}/accept`);
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('invitation_expired');
    const revoked = (await owner.api.post(`/orgs/${org}/invitations`, { email: invitee.email, role: 'member' })).body;
    expect((await owner.api.delete(`/orgs/${org}/invitations/${revoked.id}`)).status).toBe(204);
    expect((await invitee.api.post(`/invitations/${revoked.token}/accept`)).status).toBe(404);
    expect((await invitee.api.post('/invitations/tbi_forged/accept')).status).toBe(404);
  });

  it('stores only a hash of the token', async () => {
    const invitation = (await owner.api.post(`/orgs/${org}/invitations`, { email: 'hash@example.com', role: 'member' })).body;
    const [row] = await t.dataSource.query(`SELECT token_hash FROM invitations WHERE id = $1`, [invitation.id]);
    expect(Buffer.from(row.token_hash).toString('utf8')).not.toContain(invitation.token);
  });
});

describe('service accounts', () => {
  it('act through their key with their own roles, and die with their deletion', async () => {
    const created = await createServiceAccount(owner, org, 'member');
    const bot = owner.api.as(created.apiKey.key);
    expect((await bot.get('/users/me')).body).toMatchObject({ kind: 'service', email: null });
    const project = (await createProject(owner, org, 'private')).slug;
    expect((await bot.get(`/orgs/${org}/projects/${project}`)).status).toBe(404);
    await owner.api.put(`/orgs/${org}/projects/${project}/members/${created.serviceAccount.id}`, { role: 'contributor' });
    expect((await bot.post(`/orgs/${org}/projects/${project}/runs`, {})).status).toBe(201);
    expect((await bot.post('/orgs', { name: 'Bot Org' })).status).toBe(403);
    expect((await bot.post('/users/me/api-keys', { name: 'self' })).status).toBe(403);

    const second = (await owner.api.post(`/orgs/${org}/service-accounts/${created.serviceAccount.id}/api-keys`, { name: 'rotation' })).body;
    expect((await owner.api.as(second.key).get('/users/me')).status).toBe(200);
    expect((await owner.api.delete(`/orgs/${org}/service-accounts/${created.serviceAccount.id}/api-keys/${second.id}`)).status).toBe(204);
    expect((await owner.api.as(second.key).get('/users/me')).status).toBe(401);

    expect((await owner.api.delete(`/orgs/${org}/service-accounts/${created.serviceAccount.id}`)).status).toBe(204);
    expect((await bot.get('/users/me')).status).toBe(401);
  });
});

describe('audit log', () => {
  it('records membership, role, invitation, key and project changes for owners and admins only', async () => {
    const o = await signup(t.url);
    const slug = (await createOrg(o)).slug;
    const member = await addOrgMember(o, slug, 'member');
    await o.api.patch(`/orgs/${slug}/members/${member.id}`, { role: 'admin' });
    const bot = await createServiceAccount(o, slug);
    await o.api.post(`/orgs/${slug}/service-accounts/${bot.serviceAccount.id}/api-keys`, { name: 'k' });
    const project = (await createProject(o, slug)).slug;
    await o.api.patch(`/orgs/${slug}/projects/${project}`, { visibility: 'org' });
    await o.api.delete(`/orgs/${slug}/projects/${project}`);
    const log = (await o.api.get(`/orgs/${slug}/audit-log?limit=100`)).body;
    const actions = log.items.map((e: { action: string }) => e.action);
    for (const action of [
      'org.created',
      'invitation.created',
      'invitation.accepted',
      'member.role_changed',
      'service_account.created',
      'api_key.created',
      'project.created',
      'project.updated',
      'project.trashed',
    ]) {
      expect(actions, action).toContain(action);
    }
    const page = (await o.api.get(`/orgs/${slug}/audit-log?limit=2`)).body;
    expect(page.items).toHaveLength(2);
    const next = (await o.api.get(`/orgs/${slug}/audit-log?limit=2&before=${page.nextCursor}`)).body;
    expect(next.items[0].id).not.toBe(page.items[0].id);
    await o.api.patch(`/orgs/${slug}/members/${member.id}`, { role: 'member' });
    expect((await member.api.get(`/orgs/${slug}/audit-log`)).status).toBe(403);
  });
});
