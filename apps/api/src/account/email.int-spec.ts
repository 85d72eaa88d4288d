import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createOrg, createProject, signup, uniqueSlug, type TestUser } from '../../test/api-client';
import { startTestSmtp, type CapturedMail, type TestSmtp } from '../../test/smtp-server';
import { startTestApp, type TestApp } from '../../test/test-app';
import { EmailNotificationsService } from './email-notifications.service';

let t: TestApp;
let smtp: TestSmtp;
let anonymous: ApiClient;
const sockets: Socket[] = [];

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startTestApp({ SMTP_URL: smtp.url, EMAIL_FROM: 'Trackbase Test <tests@trackbase.test>', EMAIL_DIGEST_INTERVAL_MS: '0' });
  anonymous = new ApiClient(t.url);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
  await smtp?.close();
});

const to = (email: string, subject: RegExp) => (mail: CapturedMail) => mail.to.includes(email) && subject.test(mail.subject);
const tokenIn = (mail: CapturedMail, page: string) => {
  const link = mail.links.find((l) => new URL(l).pathname === page);
  expect(link, `a ${page} link in: ${mail.text}`).toBeDefined();
  return new URL(link!).searchParams.get('token')!;
};

describe('email verification', () => {
  it('a new account gets a verification link; following it verifies the email, once', async () => {
    const user = await signup(t.url, 'Vera');
    expect((await user.api.get('/users/me/security')).body).toMatchObject({ emailVerified: false, twoFactorEnabled: false });
    const mail = await smtp.next(to(user.email, /confirm your email/i));
    expect(mail.html).toContain('Confirm my email');
    const token = tokenIn(mail, '/verify-email');
    expect((await anonymous.post('/auth/verify-email', { token })).status).toBe(204);
    expect((await user.api.get('/users/me/security')).body.emailVerified).toBe(true);
    const again = await anonymous.post('/auth/verify-email', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_account_token');
  });

  it('a sign-up with a taken email answers alike and mails the owner instead of creating anything', async () => {
    const user = await signup(t.url, 'Taken');
    const again = await anonymous.post('/auth/signup', { email: user.email, password: 'some other password', name: 'Twin' });
    expect(again.status).toBe(202);
    const mail = await smtp.next(to(user.email, /tried to sign up/i));
    expect(mail.links.some((l) => new URL(l).pathname === '/forgot-password')).toBe(true);
  });

  it('names in emails are escaped in the HTML version', async () => {
    const email = `${uniqueSlug('esc')}@example.com`;
    const owner = await signup(t.url, 'Owner <b>bold</b>');
    const org = await createOrg(owner);
    expect((await owner.api.post(`/orgs/${org.slug}/invitations`, { email, role: 'member' })).status).toBe(201);
    const mail = await smtp.next(to(email, /invited you/i));
    expect(mail.html).toContain('Owner &lt;b&gt;bold&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>bold</b>');
    expect(mail.text).toContain('Owner <b>bold</b>');
  });
});

describe('password reset', () => {
  function connect(token: string): Promise<Socket> {
    const socket = io(t.url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  it('answers alike whether or not the email has an account', async () => {
    const user = await signup(t.url);
    const known = await anonymous.post('/auth/password-reset/request', { email: user.email });
    const unknown = await anonymous.post('/auth/password-reset/request', { email: `${uniqueSlug('nobody')}@example.com` });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
  });

  it('a reset link sets a new password once, refuses the old one, and ends every session and its sockets', async () => {
    const user = await signup(t.url, 'Forgetful');
    const socket = await connect(user.tokens.accessToken);
    const ended = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    await anonymous.post('/auth/password-reset/request', { email: user.email });
    const mail = await smtp.next(to(user.email, /reset your trackbase password/i));
    const token = tokenIn(mail, '/reset-password');

    expect((await anonymous.post('/auth/password-reset', { token, password: 'a brand new password' })).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    expect((await user.api.get('/users/me')).status).toBe(401);
    const refresh = await anonymous.post('/auth/refresh', { refreshToken: user.tokens.refreshToken });
    expect(refresh.status).toBe(401);
    const old = await anonymous.post('/auth/login', { email: user.email, password: user.password });
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('invalid_credentials');
    const fresh = await anonymous.post('/auth/login', { email: user.email, password: 'a brand new password' });
    expect(fresh.status).toBe(200);
    // The link proved the address.
    expect((await new ApiClient(t.url, fresh.body.accessToken).get('/users/me/security')).body.emailVerified).toBe(true);

    const reused = await anonymous.post('/auth/password-reset', { token, password: 'yet another password' });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('invalid_account_token');
  });

  it('an expired reset link is refused', async () => {
    const user = await signup(t.url);
    await anonymous.post('/auth/password-reset/request', { email: user.email });
    const token = tokenIn(await smtp.next(to(user.email, /reset your/i)), '/reset-password');
    await t.dataSource.query(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    const response = await anonymous.post('/auth/password-reset', { token, password: 'a brand new password' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_account_token');
    // A day past expiry, housekeeping forgets it.
    await t.dataSource.query(`UPDATE account_tokens SET expires_at = now() - interval '2 days' WHERE user_id = $1`, [user.id]);
    expect(await t.app.get(EmailNotificationsService).purgeExpiredTokens()).toBeGreaterThan(0);
    expect(await t.dataSource.query(`SELECT id FROM account_tokens WHERE user_id = $1`, [user.id])).toEqual([]);
  });

  it('a forged token and a malformed body answer 4xx in the error shape', async () => {
    expect((await anonymous.post('/auth/password-reset', { token: 'tbp_forged', password: 'a brand new password' })).body.error.code).toBe(
      'invalid_account_token',
    );
    const bad = await anonymous.post('/auth/password-reset', { token: 'x', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});

describe('invitations by email', () => {
  it('the invited person gets a link; its token accepts the invitation', async () => {
    const owner = await signup(t.url, 'Inviter');
    const org = await createOrg(owner);
    const invitee = await signup(t.url, 'Invitee');
    expect((await owner.api.post(`/orgs/${org.slug}/invitations`, { email: invitee.email, role: 'admin' })).status).toBe(201);
    const mail = await smtp.next(to(invitee.email, /invited you to/i));
    expect(mail.text).toContain(org.name);
    const link = mail.links.find((l) => new URL(l).pathname.startsWith('/invite/'))!;
    const token = decodeURIComponent(new URL(link).pathname.split('/').at(-1)!);
    const accepted = await invitee.api.post(`/invitations/${token}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ slug: org.slug, role: 'admin' });
  });
});

describe('notification emails', () => {
  let owner: TestUser;
  let org: string;
  let project: string;

  async function verifiedMember(name: string): Promise<TestUser> {
    const user = await signup(t.url, name);
    await anonymous.post('/auth/verify-email', { token: tokenIn(await smtp.next(to(user.email, /confirm your email/i)), '/verify-email') });
    const invitation = await owner.api.post(`/orgs/${org}/invitations`, { email: user.email, role: 'admin' });
    expect((await user.api.post(`/invitations/${invitation.body.token}/accept`)).status).toBe(200);
    return user;
  }
  const mention = (user: TestUser) => `@[${user.id.slice(0, 4)}](user:${user.id})`;

  beforeAll(async () => {
    owner = await signup(t.url, 'Commenter');
    org = (await createOrg(owner)).slug;
    project = (await createProject(owner, org, 'org')).slug;
  });

  it('a mention is mailed at once with a one-click unsubscribe; unsubscribing turns those emails off', async () => {
    const alice = await verifiedMember('Alice');
    expect((await owner.api.post(`/orgs/${org}/projects/${project}/comments`, { body: `${mention(alice)} look at this` })).status).toBe(
      201,
    );
    const mail = await smtp.next(to(alice.email, /mentioned you/i));
    expect(mail.text).toContain('look at this');
    expect(mail.rawHeader('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = mail.listUnsubscribe!.replace(/^<|>$/g, '');
    expect(mail.text).toContain(unsubscribe);

    // Opening the link shows a button and changes nothing; the one-click POST unsubscribes.
    const page = await fetch(unsubscribe);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect((await alice.api.get('/users/me/email-preferences')).body.comments).toBe('immediate');
    const posted = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(posted.status).toBe(200);
    expect((await alice.api.get('/users/me/email-preferences')).body).toEqual({ comments: 'off', runs: 'off' });
  });

  it('a tampered unsubscribe token is refused', async () => {
    const token = t.app.get(EmailNotificationsService).unsubscribeToken(owner.id, 'comments');
    const forged = `${token.slice(0, -3)}${token.endsWith('a') ? 'b' : 'a'}AA`;
    const response = await fetch(`${t.url}/api/v1/email/unsubscribe/${forged}`, { method: 'POST' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_account_token');
  });

  it('digest mode gathers mentions into one daily email, sent by one claim', async () => {
    const bob = await verifiedMember('Bob');
    expect((await bob.api.patch('/users/me/email-preferences', { comments: 'digest' })).body).toEqual({ comments: 'digest', runs: 'off' });
    for (const text of ['first note', 'second note'])
      expect((await owner.api.post(`/orgs/${org}/projects/${project}/comments`, { body: `${mention(bob)} ${text}` })).status).toBe(201);
    const service = t.app.get(EmailNotificationsService);
    // Emails (and digest items) are written after the comment commits, off the request: wait for both.
    const items = async () =>
      (await t.dataSource.query(`SELECT count(*)::int AS count FROM email_digest_items WHERE user_id = $1`, [bob.id]))[0].count;
    await expect.poll(items, { timeout: 15_000 }).toBe(2);
    await t.dataSource.query(`UPDATE email_preferences SET digest_due_at = now() - interval '1 second' WHERE user_id = $1`, [bob.id]);
    const sent = await Promise.all([service.sendDueDigests(), service.sendDueDigests()]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    const digest = await smtp.next(to(bob.email, /digest: 2 updates/i));
    expect(digest.text).toMatch(/mentioned you/);
    expect(smtp.messages.filter((m) => m.to.includes(bob.email) && /mentioned you/.test(m.subject))).toEqual([]);
    const [{ due }] = await t.dataSource.query(`SELECT digest_due_at > now() AS due FROM email_preferences WHERE user_id = $1`, [bob.id]);
    expect(due).toBe(true);
  });

  it('a run that finishes is mailed to its creator when they asked for run emails', async () => {
    const carol = await verifiedMember('Carol');
    expect((await carol.api.patch('/users/me/email-preferences', { runs: 'immediate' })).status).toBe(200);
    const run = await carol.api.post(`/orgs/${org}/projects/${project}/runs`, { name: 'resnet <50>' });
    expect(run.status).toBe(201);
    expect((await carol.api.patch(`/orgs/${org}/projects/${project}/runs/${run.body.key}`, { state: 'finished' })).status).toBe(200);
    const mail = await smtp.next(to(carol.email, /finished/));
    expect(mail.subject).toContain(run.body.key);
    expect(mail.html).toContain('resnet &lt;50&gt;');
  });
});
