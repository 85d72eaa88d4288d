import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';

let t: TestApp;
let user: TestUser;
let org: string;

beforeAll(async () => {
  t = await startTestApp({ JSON_BODY_LIMIT: '64kb' });
  user = await signup(t.url);
  org = (await createOrg(user)).slug;
});
afterAll(() => t.close());

function expectErrorShape(body: any, code: string) {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }) });
}

describe('hostile and broken input', () => {
  it('malformed JSON is a 400 malformed_json', async () => {
    const response = await user.api.request('POST', `/orgs/${org}/projects`, '{"name": "x",', {});
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 'malformed_json');
  });

  it('a NUL character in any string is a 400 invalid_text (PostgreSQL cannot store it), never a 500', async () => {
    const project = (await user.api.post(`/orgs/${org}/projects`, { name: 'Nul', slug: 'nul' })).body.slug;
    const run = (await user.api.post(`/orgs/${org}/projects/${project}/runs`, {})).body.key;
    const runPath = `/orgs/${org}/projects/${project}/runs/${run}`;
    for (const [path, method, body] of [
      [runPath, 'PATCH', { notes: 'a\u0000b' }],
      [runPath, 'PATCH', { tags: ['ok', 'x\u0000'] }],
      [`${runPath}/batches`, 'POST', { streamId: 's', seq: 0, params: { 'a\u0000': 1 } }],
      [`${runPath}/batches`, 'POST', { streamId: 's', seq: 1, text: [{ name: 'log', steps: [0], lines: ['\u0000'], times: [0] }] }],
    ] as const) {
      const raw = JSON.stringify(body);
      const response = await user.api.request(method, path, raw, {});
      expect(response.status, raw).toBe(400);
      expectErrorShape(response.body, 'invalid_text');
    }
    // An escaped backslash before "u0000" is ordinary text, not a NUL.
    const literal = await user.api.request('PATCH', runPath, JSON.stringify({ notes: 'C:\\u0000dir' }), {});
    expect(literal.status).toBe(200);
    expect(literal.body.notes).toBe('C:\\u0000dir');
  });

  it('unknown fields are refused and named', async () => {
    const response = await user.api.post(`/orgs/${org}/projects`, { name: 'x', owner: 'me' });
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 'validation_failed');
    expect(JSON.stringify(response.body.error.details)).toContain('owner');
  });

  it('wrong types are refused with the offending path', async () => {
    const response = await user.api.post(`/orgs/${org}/projects`, { name: 42, visibility: 'public' });
    expect(response.status).toBe(400);
    const paths = response.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'visibility']));
  });

  it('oversized bodies are a 413 payload_too_large', async () => {
    const response = await user.api.post(`/orgs/${org}/projects`, { name: 'x', description: 'y'.repeat(100_000) });
    expect(response.status).toBe(413);
    expectErrorShape(response.body, 'payload_too_large');
  });

  it('slugs with path characters, unicode or excess length are 4xx, never 500', async () => {
    for (const slug of ['..', '%2e%2e', 'a%2Fb', 'a b', 'ünï', 'x'.repeat(300), "o'rg", '-lead', 'UPPER', '%00']) {
      const response = await user.api.get(`/orgs/${slug}/projects`);
      expect(response.status, slug).toBeGreaterThanOrEqual(400);
      expect(response.status, slug).toBeLessThan(500);
    }
    const created = await user.api.post('/orgs', { name: 'x', slug: '../etc' });
    expect(created.status).toBe(400);
  });

  it('route ids that are not uuids are 4xx', async () => {
    for (const id of ['1', 'not-a-uuid', "1' OR '1'='1"]) {
      const response = await user.api.delete(`/orgs/${org}/members/${encodeURIComponent(id)}`);
      expect(response.status, id).toBe(400);
    }
  });

  it('echoes a well-formed x-request-id and ignores a hostile one', async () => {
    const good = await user.api.request('GET', '/users/me', undefined, { 'x-request-id': 'trace-123' });
    expect(good.headers.get('x-request-id')).toBe('trace-123');
    const bad = await user.api.request('GET', '/nope', undefined, { 'x-request-id': 'bad id\twith tabs' });
    expect(bad.headers.get('x-request-id')).not.toContain('bad');
    expect(bad.status).toBe(404);
    expect(bad.body.error.requestId).toBe(bad.headers.get('x-request-id'));
  });

  it('a rejected request writes nothing', async () => {
    const before = (await user.api.get(`/orgs/${org}/projects`)).body.length;
    await user.api.post(`/orgs/${org}/projects`, { name: 'x', slug: 'ok-slug', extra: true });
    await user.api.request('POST', `/orgs/${org}/projects`, '{"name":', {});
    expect((await user.api.get(`/orgs/${org}/projects`)).body.length).toBe(before);
  });

  it('a body that is not JSON at all is refused, not a crash', async () => {
    const response = await user.api.request('POST', `/orgs/${org}/projects`, 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 'validation_failed');
  });
});
