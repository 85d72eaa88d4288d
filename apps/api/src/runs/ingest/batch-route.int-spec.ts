import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { AccessGuard } from '../../common/access/access.guard';
import { TransactionInterceptor } from '../../common/access/transaction.interceptor';

// The lean batch route (batch-route.ts) replaces Nest's pipeline for `POST …/batches`. The ingestion tests
// (group-commit, runs, access-cache, hostile-input, metrics) check what it keeps; these check what it
// could have lost: every way of authenticating, every refusal before the handler, the answer's shape.
let t: TestApp;
let owner: TestUser;
let org: string;
let project: string;
let base: string;

beforeAll(async () => {
  t = await startTestApp({ ACCESS_CACHE_TTL_MS: '60000', BATCH_BODY_LIMIT: '64kb' });
  owner = await signup(t.url, 'Owner');
  org = (await createOrg(owner)).slug;
  project = (await createProject(owner, org, 'private', 'lean')).slug;
  base = `/orgs/${org}/projects/${project}/runs`;
});
afterAll(() => t.close());
afterEach(() => vi.restoreAllMocks());

async function newRun(): Promise<string> {
  return ((await owner.api.post(base, {})).body as { key: string }).key;
}

const batch = (seq: number) => ({ streamId: 's', seq, metrics: [{ name: 'loss', steps: [seq], values: [1], times: [1] }] });

async function keyOf(user: TestUser): Promise<{ id: string; key: string }> {
  return (await user.api.post('/users/me/api-keys', { name: 'sdk' })).body;
}

function expectError(response: { status: number; body: any; headers: Headers }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.error.code).toBe(code);
  expect(typeof response.body.error.message).toBe('string');
  // The error names the request it answers, as every error does.
  expect(response.body.error.requestId).toBe(response.headers.get('x-request-id'));
}

describe('lean batch route', () => {
  it('does not walk the guards or interceptors of the Nest pipeline, which other routes still do', async () => {
    const run = await newRun();
    const guard = vi.spyOn(AccessGuard.prototype, 'canActivate');
    const interceptor = vi.spyOn(TransactionInterceptor.prototype, 'intercept');
    const response = await owner.api.post(`${base}/${run}/batches`, batch(0));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ streamId: 's', seq: 0, duplicate: false, points: 1 });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(guard).not.toHaveBeenCalled();
    expect(interceptor).not.toHaveBeenCalled();
    // The spies see a Nest route of the same controller.
    expect((await owner.api.post(`${base}/${run}/heartbeat`, {})).status).toBe(200);
    expect(guard).toHaveBeenCalledTimes(1);
    expect(interceptor).toHaveBeenCalledTimes(1);
  });

  it('takes access tokens and API keys from the header, never a credential from the URL', async () => {
    const run = await newRun();
    const key = (await keyOf(owner)).key;
    expect((await owner.api.post(`${base}/${run}/batches`, batch(0))).status).toBe(200);
    expect((await owner.api.as(key).post(`${base}/${run}/batches`, batch(1))).status).toBe(200);
    // A key in the URL ends up in logs and proxies: refused (as passport-http-bearer took it before), alone or with a header.
    expectError(await owner.api.as(undefined).post(`${base}/${run}/batches?access_token=${key}`, batch(2)), 400, 'credential_in_url');
    expectError(await owner.api.as(key).post(`${base}/${run}/batches?access_token=${key}`, batch(2)), 400, 'credential_in_url');
    expectError(
      await owner.api.as(undefined).post(`${base}/${run}/batches?access_token=${owner.tokens.accessToken}`, batch(2)),
      400,
      'credential_in_url',
    );
    // Nothing of batch 2 was taken.
    expect((await owner.api.as(key).post(`${base}/${run}/batches`, batch(2))).body.duplicate).toBeFalsy();
  });

  it('refuses a missing, malformed or forged credential with unauthenticated, and an expired access token with token_expired', async () => {
    const path = `${base}/${await newRun()}/batches`;
    expectError(await owner.api.as(undefined).post(path, batch(0)), 401, 'unauthenticated');
    expectError(await owner.api.as('tbk_nope_nope').post(path, batch(0)), 401, 'unauthenticated');
    expectError(await owner.api.request('POST', path, batch(0), { authorization: 'Basic abc' }), 401, 'unauthenticated');
    const claims = jwt.decode(owner.tokens.accessToken) as Record<string, unknown>;
    const forged = jwt.sign({ ...claims }, 'another-secret-that-is-long-enough-for-hs256');
    expectError(await owner.api.as(forged).post(path, batch(0)), 401, 'unauthenticated');
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, t.config.JWT_SECRET);
    expectError(await owner.api.as(expired).post(path, batch(0)), 401, 'token_expired');
  });

  it('refuses the next batch of a session that logged out, at once', async () => {
    const user = await signup(t.url, 'Leaving');
    const own = (await createOrg(user)).slug;
    const proj = (await createProject(user, own, 'private', 'pp')).slug;
    const run = ((await user.api.post(`/orgs/${own}/projects/${proj}/runs`, {})).body as { key: string }).key;
    const path = `/orgs/${own}/projects/${proj}/runs/${run}/batches`;
    expect((await user.api.post(path, batch(0))).status).toBe(200);
    expect((await user.api.post('/auth/logout', { refreshToken: user.tokens.refreshToken })).status).toBeLessThan(300);
    expectError(await user.api.post(path, batch(1)), 401, 'unauthenticated');
  });

  it('answers another organization, an unknown project or run with not_found, and a viewer key with forbidden', async () => {
    const run = await newRun();
    const stranger = await signup(t.url, 'Stranger');
    expectError(await stranger.api.post(`${base}/${run}/batches`, batch(0)), 404, 'not_found');
    expectError(await owner.api.post(`/orgs/${org}/projects/nope/runs/${run}/batches`, batch(0)), 404, 'not_found');
    expectError(await owner.api.post(`${base}/nope-999/batches`, batch(0)), 404, 'not_found');
    const readOnly = (await owner.api.post('/users/me/api-keys', { name: 'ro', access: 'read' })).body.key as string;
    expectError(await owner.api.as(readOnly).post(`${base}/${run}/batches`, batch(0)), 403, 'forbidden');
  });

  it('refuses malformed JSON (400), a body over BATCH_BODY_LIMIT (413) and an invalid batch (400 with its fields), storing nothing', async () => {
    const run = await newRun();
    const path = `${base}/${run}/batches`;
    expectError(await owner.api.request('POST', path, '{"streamId":"s",', {}), 400, 'malformed_json');
    expectError(await owner.api.request('POST', path, '"just a string"', {}), 400, 'malformed_json');
    const big = { streamId: 's', seq: 0, metrics: [{ name: 'loss', steps: [0], values: [1], times: [1], pad: 'x'.repeat(70_000) }] };
    expectError(await owner.api.request('POST', path, JSON.stringify(big), {}), 413, 'payload_too_large');
    const invalid = await owner.api.post(path, { streamId: '', seq: -1, extra: true });
    expectError(invalid, 400, 'validation_failed');
    const fields = (invalid.body.error.details as Array<{ path: string }>).map((d) => d.path);
    expect(fields).toEqual(expect.arrayContaining(['streamId', 'seq', '']));
    expect(JSON.stringify(invalid.body.error.details)).toContain('extra');
    // A body that is not JSON is not parsed: the batch is missing, a validation failure.
    expectError(await owner.api.request('POST', path, 'streamId=s', { 'content-type': 'text/plain' }), 400, 'validation_failed');
    const stored = await owner.api.get(`${base}/${run}`);
    expect(stored.body.series ?? []).toEqual([]);
  });

  it('answers a retried batch as a duplicate and keeps the caller x-request-id', async () => {
    const path = `${base}/${await newRun()}/batches`;
    const first = await owner.api.request('POST', path, batch(0), { 'x-request-id': 'lean-route-1' });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-request-id')).toBe('lean-route-1');
    const again = await owner.api.post(path, batch(0));
    expect(again.body).toEqual({ streamId: 's', seq: 0, duplicate: true, points: 0 });
  });
});

describe('request log of the lean batch route', () => {
  let logged: TestApp;
  afterAll(() => logged?.close());

  it('writes one line per batch with its request id, route and status, at warn for a refusal, without the credential', async () => {
    logged = await startTestApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    const user = await signup(logged.url, 'Logged');
    const own = (await createOrg(user)).slug;
    const proj = (await createProject(user, own, 'private', 'logs')).slug;
    const run = ((await user.api.post(`/orgs/${own}/projects/${proj}/runs`, {})).body as { key: string }).key;
    const path = `/api/v1/orgs/${own}/projects/${proj}/runs/${run}/batches`;
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
    expect((await user.api.request('POST', path, batch(0), { 'x-request-id': 'logged-ok' })).status).toBe(200);
    expect((await user.api.request('POST', path.replace(run, 'nope-1'), batch(0), { 'x-request-id': 'logged-404' })).status).toBe(404);
    vi.restoreAllMocks();
    const entries = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const ok = entries.filter((e) => e.req?.id === 'logged-ok');
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ level: 30, req: { method: 'POST', url: path }, res: { statusCode: 200 } });
    const refused = entries.filter((e) => e.req?.id === 'logged-404');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 40, res: { statusCode: 404 } });
    expect(lines.join('')).not.toContain(user.tokens.accessToken);
  });
});
