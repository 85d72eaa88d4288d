import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, addOrgMember, createOrg, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let anonymous: ApiClient;

beforeAll(async () => {
  t = await startTestApp({ TWO_FACTOR_FAILURES_PER_ACCOUNT: '3' });
  anonymous = new ApiClient(t.url);
});
afterAll(() => t.close());

/** The code of the time step `stepsAhead` from now (the server accepts one step of drift either way). */
const code = (secret: string, stepsAhead = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });
/** A six-digit code that is not the right one. */
const wrong = async (secret: string) => {
  const right = new Set([await code(secret, -1), await code(secret), await code(secret, 1)]);
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!right.has(candidate)) return candidate;
  }
};

async function enrolled(user: TestUser): Promise<{ secret: string; recoveryCodes: string[]; confirmCode: string }> {
  const enrolment = await user.api.post('/users/me/two-factor/enrol');
  expect(enrolment.status).toBe(200);
  expect(enrolment.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Trackbase:.+secret=/);
  expect(enrolment.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
  const secret = enrolment.body.secret as string;
  const confirmCode = await code(secret);
  const confirmed = await user.api.post('/users/me/two-factor/confirm', { code: confirmCode });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.recoveryCodes).toHaveLength(10);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes, confirmCode };
}

async function passwordStep(user: TestUser): Promise<string> {
  const response = await anonymous.post('/auth/login', { email: user.email, password: user.password });
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ status: 'two_factor_required' });
  expect(response.body.accessToken).toBeUndefined();
  return response.body.challengeToken;
}

describe('enrolment', () => {
  it('needs a correct code to confirm; until then sign-in needs no code', async () => {
    const user = await signup(t.url);
    const enrolment = await user.api.post('/users/me/two-factor/enrol');
    const bad = await user.api.post('/users/me/two-factor/confirm', { code: await wrong(enrolment.body.secret) });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_two_factor_code');
    expect((await user.api.get('/users/me/security')).body.twoFactorEnabled).toBe(false);
    expect((await anonymous.post('/auth/login', { email: user.email, password: user.password })).body.accessToken).toBeDefined();
  });

  it('stores the secret sealed and recovery codes hashed', async () => {
    const user = await signup(t.url);
    const { secret, recoveryCodes } = await enrolled(user);
    const [row] = await t.dataSource.query(`SELECT secret_sealed FROM user_two_factor WHERE user_id = $1`, [user.id]);
    expect(row.secret_sealed).not.toContain(secret);
    const codes = await t.dataSource.query(`SELECT encode(code_hash, 'escape') AS h FROM user_recovery_codes WHERE user_id = $1`, [
      user.id,
    ]);
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(recoveryCodes.some((r) => c.h.includes(r))).toBe(false);
    expect((await user.api.post('/users/me/two-factor/enrol')).body.error.code).toBe('two_factor_already_enabled');
  });

  it('API keys cannot manage two-factor', async () => {
    const user = await signup(t.url);
    const key = await user.api.post('/users/me/api-keys', { name: 'k' });
    const response = await user.api.as(key.body.key).post('/users/me/two-factor/enrol');
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('session_required');
  });
});

describe('signing in with two-factor', () => {
  it('asks for a code after the password; a wrong code and a replayed one are refused, a fresh one signs in once', async () => {
    const user = await signup(t.url);
    const { secret, confirmCode } = await enrolled(user);
    const challenge = await passwordStep(user);

    const wrongCode = await anonymous.post('/auth/login/two-factor', { challengeToken: challenge, code: await wrong(secret) });
    expect(wrongCode.status).toBe(401);
    expect(wrongCode.body.error.code).toBe('invalid_two_factor_code');
    // The confirmation's code, again in its own time step: a replay.
    const replay = await anonymous.post('/auth/login/two-factor', { challengeToken: challenge, code: confirmCode });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_two_factor_code');

    const next = await code(secret, 1);
    const ok = await anonymous.post('/auth/login/two-factor', { challengeToken: challenge, code: next });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.id);
    expect((await new ApiClient(t.url, ok.body.accessToken).get('/users/me')).status).toBe(200);

    // The challenge is used, and the code's step too.
    const again = await anonymous.post('/auth/login/two-factor', { challengeToken: challenge, code: next });
    expect(again.body.error.code).toBe('invalid_two_factor_challenge');
    const second = await passwordStep(user);
    const replayed = await anonymous.post('/auth/login/two-factor', { challengeToken: second, code: next });
    expect(replayed.body.error.code).toBe('invalid_two_factor_code');
  });

  it('a recovery code works once', async () => {
    const user = await signup(t.url);
    const { recoveryCodes } = await enrolled(user);
    const ok = await anonymous.post('/auth/login/two-factor', {
      challengeToken: await passwordStep(user),
      code: recoveryCodes[0]!.toUpperCase(),
    });
    expect(ok.status).toBe(200);
    expect((await new ApiClient(t.url, ok.body.accessToken).get('/users/me/security')).body.recoveryCodesLeft).toBe(9);
    const reused = await anonymous.post('/auth/login/two-factor', { challengeToken: await passwordStep(user), code: recoveryCodes[0] });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('invalid_two_factor_code');
  });

  it('a forged or expired challenge is refused', async () => {
    const user = await signup(t.url);
    const { recoveryCodes } = await enrolled(user);
    const forged = await anonymous.post('/auth/login/two-factor', { challengeToken: 'tb2_forged', code: recoveryCodes[0] });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_two_factor_challenge');
    const challenge = await passwordStep(user);
    await t.dataSource.query(
      `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'two_factor'`,
      [user.id],
    );
    const expired = await anonymous.post('/auth/login/two-factor', { challengeToken: challenge, code: recoveryCodes[0] });
    expect(expired.body.error.code).toBe('invalid_two_factor_challenge');
  });

  it('wrong codes pause the account’s code attempts, even for a right code afterwards', async () => {
    const user = await signup(t.url);
    const { secret, recoveryCodes } = await enrolled(user);
    const challenge = await passwordStep(user);
    const answers: number[] = [];
    for (let i = 0; i < 3; i++)
      answers.push((await anonymous.post('/auth/login/two-factor', { challengeToken: challenge, code: await wrong(secret) })).status);
    expect(answers).toEqual([401, 401, 429]);
    const paused = await anonymous.post('/auth/login/two-factor', { challengeToken: challenge, code: recoveryCodes[1] });
    expect(paused.status).toBe(429);
    expect(paused.body.error.code).toBe('two_factor_backoff');
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('disabling takes a code; afterwards the password alone signs in', async () => {
    const user = await signup(t.url);
    const { secret, recoveryCodes } = await enrolled(user);
    expect((await user.api.post('/users/me/two-factor/disable', { code: await wrong(secret) })).status).toBe(401);
    expect((await user.api.post('/users/me/two-factor/disable', { code: recoveryCodes[2] })).status).toBe(204);
    const login = await anonymous.post('/auth/login', { email: user.email, password: user.password });
    expect(login.body.accessToken).toBeDefined();
    expect((await user.api.get('/users/me/security')).body).toMatchObject({ twoFactorEnabled: false, recoveryCodesLeft: 0 });
  });
});

describe('organizations that require two-factor', () => {
  it('refuses members without it (sessions and keys) with two_factor_required until they enrol', async () => {
    const owner = await signup(t.url, 'Strict owner');
    const org = (await createOrg(owner)).slug;
    const member = await addOrgMember(owner, org, 'member');
    const key = (await member.api.post('/users/me/api-keys', { name: 'member key' })).body.key as string;

    // Turning it on needs two-factor of whoever does it.
    const refused = await owner.api.put(`/orgs/${org}/security`, { requireTwoFactor: true });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('two_factor_required');
    await enrolled(owner);
    expect((await owner.api.put(`/orgs/${org}/security`, { requireTwoFactor: true })).status).toBe(200);
    expect((await member.api.put(`/orgs/${org}/security`, { requireTwoFactor: false })).status).toBe(403);

    for (const api of [member.api, member.api.as(key)]) {
      const response = await api.get(`/orgs/${org}/projects`);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('two_factor_required');
    }
    // Account routes still work, so the member can enrol.
    await enrolled(member);
    expect((await member.api.get(`/orgs/${org}/projects`)).status).toBe(200);
    expect((await member.api.as(key).get(`/orgs/${org}/projects`)).status).toBe(200);
    // Another organization's member sees nothing of it (404, not 403).
    const stranger = await signup(t.url);
    expect((await stranger.api.get(`/orgs/${org}/projects`)).status).toBe(404);
  });
});
