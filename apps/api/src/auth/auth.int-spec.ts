import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createOrg, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let anonymous: ApiClient;

beforeAll(async () => {
  t = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: '30' });
  anonymous = new ApiClient(t.url);
});
afterAll(() => t.close());

describe('sign-up and sign-in', () => {
  it('signs up, then signs in with the same password', async () => {
    const user = await signup(t.url, 'Ada');
    const me = await user.api.get('/users/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email, name: 'Ada', kind: 'human' });

    const login = await anonymous.post('/auth/login', { email: user.email.toUpperCase(), password: user.password });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(user.id);
  });

  it('stores passwords as argon2id hashes', async () => {
    const user = await signup(t.url);
    const [row] = await t.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const user = await signup(t.url);
    const wrong = await anonymous.post('/auth/login', { email: user.email, password: 'not the password' });
    const unknown = await anonymous.post('/auth/login', { email: 'nobody@example.com', password: 'whatever123' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error.code).toBe('invalid_credentials');
  });

  it('enforces the password length policy', async () => {
    const response = await anonymous.post('/auth/signup', { email: 'short@example.com', password: 'short', name: 'S' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details[0].path).toBe('password');
  });

  it('answers a sign-up alike whether or not the email has an account, and leaves an existing account as it was', async () => {
    const user = await signup(t.url, 'Original');
    const fresh = await anonymous.post('/auth/signup', {
      email: `fresh-${Date.now()}@example.com`,
      password: 'another password',
      name: 'New',
    });
    const again = await anonymous.post('/auth/signup', { email: user.email.toUpperCase(), password: 'another password', name: 'Twin' });
    expect(again.status).toBe(202);
    expect(fresh.status).toBe(202);
    expect(again.body).toEqual(fresh.body);
    expect(Object.keys(again.headers).sort()).toEqual(Object.keys(fresh.headers).sort());
    // The existing account keeps its name and password; the sign-up's password does not open it.
    expect((await anonymous.post('/auth/login', { email: user.email, password: 'another password' })).status).toBe(401);
    expect((await anonymous.post('/auth/login', { email: user.email, password: user.password })).status).toBe(200);
    expect((await user.api.get('/users/me')).body.name).toBe('Original');
    const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE lower(email) = lower($1)`, [user.email]);
    expect(count).toBe(1);
  });
});

describe('refresh tokens', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signup(t.url);
  });

  it('rotates: a refresh token works once and yields a new pair', async () => {
    const first = await anonymous.post('/auth/refresh', { refreshToken: user.tokens.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.tokens.refreshToken);
    const me = await anonymous.as(first.body.accessToken).get('/users/me');
    expect(me.status).toBe(200);
  });

  it('reusing a rotated refresh token revokes the whole session', async () => {
    const fresh = await anonymous.post('/auth/login', { email: user.email, password: user.password });
    const rotated = await anonymous.post('/auth/refresh', { refreshToken: fresh.body.refreshToken });
    expect(rotated.status).toBe(200);

    const replay = await anonymous.post('/auth/refresh', { refreshToken: fresh.body.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('refresh_token_reused');

    // The legitimate successor is dead too, and so are the session's access tokens.
    const successor = await anonymous.post('/auth/refresh', { refreshToken: rotated.body.refreshToken });
    expect(successor.status).toBe(401);
    expect((await anonymous.as(rotated.body.accessToken).get('/users/me')).status).toBe(401);
    expect((await anonymous.as(fresh.body.accessToken).get('/users/me')).status).toBe(401);
  });

  it('logout revokes the session and its tokens', async () => {
    const session = await anonymous.post('/auth/login', { email: user.email, password: user.password });
    const client = anonymous.as(session.body.accessToken);
    expect((await client.post('/auth/logout', { refreshToken: session.body.refreshToken })).status).toBe(204);
    expect((await client.get('/users/me')).status).toBe(401);
    expect((await anonymous.post('/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(401);
  });

  it('refuses garbage refresh tokens', async () => {
    const response = await anonymous.post('/auth/refresh', { refreshToken: 'tbr_not-a-token' });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_refresh_token');
  });
});

describe('sessions on the account page', () => {
  it('lists the live sessions, marks the current one, and revokes one by one', async () => {
    const user = await signup(t.url);
    const second = await anonymous.post('/auth/login', { email: user.email, password: user.password });
    const third = await anonymous.post('/auth/login', { email: user.email, password: user.password });
    const listed = await user.api.get('/users/me/sessions');
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(3);
    expect(listed.body.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const secondApi = anonymous.as(second.body.accessToken);
    const secondId = (await secondApi.get('/users/me/sessions')).body.find((s: { current: boolean }) => s.current).id;

    expect((await user.api.delete(`/users/me/sessions/${secondId}`)).status).toBe(204);
    expect((await secondApi.get('/users/me')).status).toBe(401);
    expect((await anonymous.post('/auth/refresh', { refreshToken: second.body.refreshToken })).status).toBe(401);
    expect((await anonymous.as(third.body.accessToken).get('/users/me')).status).toBe(200);
    expect((await user.api.get('/users/me/sessions')).body.map((s: { id: string }) => s.id)).not.toContain(secondId);
    // Already revoked, or another person's: 404.
    expect((await user.api.delete(`/users/me/sessions/${secondId}`)).status).toBe(404);
    const stranger = await signup(t.url);
    const strangerSession = (await stranger.api.get('/users/me/sessions')).body[0].id;
    expect((await user.api.delete(`/users/me/sessions/${strangerSession}`)).status).toBe(404);
    expect((await stranger.api.get('/users/me')).status).toBe(200);
  });

  it('an API key can neither list nor revoke sessions', async () => {
    const user = await signup(t.url);
    const key = (await user.api.post('/users/me/api-keys', { name: 'k' })).body.key;
    const listed = await anonymous.as(key).get('/users/me/sessions');
    expect(listed.status).toBe(403);
    expect(listed.body.error.code).toBe('session_required');
  });
});

describe('access token lifetime', () => {
  it('an expired access token is refused with token_expired', async () => {
    const { default: jwt } = await import('jsonwebtoken');
    const user = await signup(t.url);
    const claims = jwt.decode(user.tokens.accessToken) as { sub: string; sid: string };
    const expired = jwt.sign(
      { sub: claims.sub, sid: claims.sid, typ: 'access', exp: Math.floor(Date.now() / 1000) - 10 },
      t.config.JWT_SECRET,
      {
        algorithm: 'HS256',
      },
    );
    const response = await anonymous.as(expired).get('/users/me');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('token_expired');
  });

  it('issues access tokens that expire after the configured lifetime', async () => {
    const { default: jwt } = await import('jsonwebtoken');
    const user = await signup(t.url);
    const claims = jwt.decode(user.tokens.accessToken) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(30);
  });

  it('refuses a token signed with another secret', async () => {
    const { default: jwt } = await import('jsonwebtoken');
    const user = await signup(t.url);
    const claims = jwt.decode(user.tokens.accessToken) as { sub: string; sid: string };
    const forged = jwt.sign({ sub: claims.sub, sid: claims.sid, typ: 'access' }, 'some-other-secret-of-sufficient-length', {
      algorithm: 'HS256',
    });
    expect((await anonymous.as(forged).get('/users/me')).status).toBe(401);
  });
});

describe('API keys', () => {
  it('issues keys whose secret has no "-" (clients such as wandb split at the first one), and keys of the earlier form still work', async () => {
    const user = await signup(t.url);
    for (let i = 0; i < 8; i++) {
      const created = await user.api.post('/users/me/api-keys', { name: `k${i}` });
      expect(created.body.key).toMatch(/^tbk_[0-9a-f]{12}_[0-9a-f]{64}$/);
    }
    // A key issued before: base64url secret with '-' in it, stored as SHA-256 like any other.
    const old = 'tbk_0123456789ab_Ab-cdEFgh_ijklMNOPqrstUVWXyz0123456789-_abcde';
    await t.dataSource.query(`INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES ($1, 'old', '0123456789ab', $2)`, [
      user.id,
      createHash('sha256').update(old, 'utf8').digest(),
    ]);
    expect((await anonymous.as(old).get('/users/me')).body.id).toBe(user.id);
  });

  it('is shown once, authenticates as the user, and stops working when revoked', async () => {
    const user = await signup(t.url);
    const created = await user.api.post('/users/me/api-keys', { name: 'laptop' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^tbk_/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);

    const keyClient = anonymous.as(created.body.key);
    expect((await keyClient.get('/users/me')).body.id).toBe(user.id);

    const listed = await user.api.get('/users/me/api-keys');
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0].key).toBeUndefined();
    expect(listed.body[0].lastUsedAt).not.toBeNull();

    const [row] = await t.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.body.id]);
    expect(Buffer.from(row.key_hash).toString('utf8')).not.toContain(created.body.key);

    expect((await user.api.delete(`/users/me/api-keys/${created.body.id}`)).status).toBe(204);
    const after = await keyClient.get('/users/me');
    expect(after.status).toBe(401);
  });

  it('an expired key is refused', async () => {
    const user = await signup(t.url);
    const created = await user.api.post('/users/me/api-keys', {
      name: 'short-lived',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(created.status).toBe(201);
    await t.dataSource.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [created.body.id]);
    expect((await anonymous.as(created.body.key).get('/users/me')).status).toBe(401);
  });

  it('a key with the right prefix but a wrong secret is refused', async () => {
    const user = await signup(t.url);
    const created = await user.api.post('/users/me/api-keys', { name: 'k' });
    const tampered = created.body.key.slice(0, -4) + (created.body.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await anonymous.as(tampered).get('/users/me')).status).toBe(401);
  });

  it('a key cannot mint or revoke keys, so revoking it ends access for good', async () => {
    const user = await signup(t.url);
    const created = await user.api.post('/users/me/api-keys', { name: 'leaked' });
    const withKey = anonymous.as(created.body.key);
    const minted = await withKey.post('/users/me/api-keys', { name: 'successor' });
    expect(minted.status).toBe(403);
    expect(minted.body.error.code).toBe('session_required');
    expect((await withKey.delete(`/users/me/api-keys/${created.body.id}`)).status).toBe(403);
    const org = await createOrg(user);
    const bots = await withKey.post(`/orgs/${org}/service-accounts`, { name: 'escape', role: 'admin' });
    expect(bots.status).toBe(403);
    expect((await user.api.delete(`/users/me/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await withKey.get('/users/me')).status).toBe(401);
  });

  it("cannot revoke another user's key", async () => {
    const alice = await signup(t.url);
    const bob = await signup(t.url);
    const key = await alice.api.post('/users/me/api-keys', { name: 'alice' });
    expect((await bob.api.delete(`/users/me/api-keys/${key.body.id}`)).status).toBe(404);
    expect((await anonymous.as(key.body.key).get('/users/me')).status).toBe(200);
  });
});

describe('API key format', () => {
  it('every key authenticates, whatever random characters it drew', async () => {
    const user = await signup(t.url);
    for (let i = 0; i < 40; i++) {
      const key = (await user.api.post('/users/me/api-keys', { name: `k${i}` })).body.key as string;
      expect((await anonymous.as(key).get('/users/me')).status, key.slice(0, 20)).toBe(200);
    }
  });
});

describe('rate limits', () => {
  it('limits sign-in attempts per client', async () => {
    const limited = await startTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const client = new ApiClient(limited.url);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await client.post('/auth/login', { email: 'x@example.com', password: 'whatever123' })).status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      // Without TRUST_PROXY a client cannot pose as others by forging X-Forwarded-For.
      const forged = await client.request(
        'POST',
        '/auth/login',
        { email: 'x@example.com', password: 'whatever123' },
        { 'x-forwarded-for': '203.0.113.7' },
      );
      expect(forged.status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('wrong passwords for one email pause its sign-ins from every address, known or not', async () => {
    const paused = await startTestApp({ LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_BACKOFF_SECONDS: '120', TRUST_PROXY: 'loopback' });
    try {
      const client = new ApiClient(paused.url);
      const victim = await signup(paused.url);
      const bystander = await signup(paused.url);
      const unknown = `nobody-${Date.now()}@example.com`;
      let address = 0;
      const attempt = (email: string, password: string) =>
        client.request('POST', '/auth/login', { email, password }, { 'x-forwarded-for': `198.51.100.${++address}` });
      for (const email of [victim.email, unknown]) {
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await attempt(email, 'not the password')).status);
        expect(statuses).toEqual([401, 401, 429]);
      }
      // Even the right password waits out the pause, from yet another address; the answer names no account.
      const right = await attempt(victim.email, victim.password);
      expect(right.status).toBe(429);
      expect(right.body.error.code).toBe('sign_in_backoff');
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(100);
      expect((await attempt(unknown, 'whatever123')).body.error.code).toBe('sign_in_backoff');
      expect((await attempt(bystander.email, bystander.password)).status).toBe(200);
      // The pause over, a successful sign-in forgets the failures.
      await paused.dataSource.query(`UPDATE sign_in_failures SET paused_until = now() - interval '1 second'`);
      expect((await attempt(victim.email, victim.password)).status).toBe(200);
      expect((await attempt(victim.email, 'not the password')).status).toBe(401);
    } finally {
      await paused.close();
    }
  });

  it('behind a trusted balancer, each forwarded client has its own allowance', async () => {
    const proxied = await startTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback' });
    try {
      const client = new ApiClient(proxied.url);
      const attempt = (address: string) =>
        client.request('POST', '/auth/login', { email: 'x@example.com', password: 'whatever123' }, { 'x-forwarded-for': address });
      const first = [await attempt('198.51.100.1'), await attempt('198.51.100.1'), await attempt('198.51.100.1')].map((r) => r.status);
      expect(first).toEqual([401, 401, 429]);
      expect((await attempt('198.51.100.2')).status).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
