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

  it('a lone UTF-16 surrogate anywhere is a 400 invalid_text, never a 500, and the run keeps what it had', async () => {
    const project = (await user.api.post(`/orgs/${org}/projects`, { name: 'Surrogates', slug: 'surrogates' })).body.slug;
    const run = (await user.api.post(`/orgs/${org}/projects/${project}/runs`, { params: { lr: 0.1 } })).body.key;
    const runPath = `/orgs/${org}/projects/${project}/runs/${run}`;
    const lone = '\ud800';
    for (const [path, method, body] of [
      [`${runPath}/batches`, 'POST', { streamId: 's', seq: 0, params: { opt: { name: `adam${lone}` } } }],
      [`${runPath}/batches`, 'POST', { streamId: 's', seq: 1, params: { [`k${lone}`]: 1 } }],
      [`${runPath}/batches`, 'POST', { streamId: 's', seq: 2, context: { argv: [`--x${lone}`] } }],
      [`${runPath}/batches`, 'POST', { streamId: 's', seq: 3, metrics: [{ name: `loss${lone}`, steps: [0], values: [1], times: [0] }] }],
      [`${runPath}/batches`, 'POST', { streamId: 's', seq: 4, outputs: [{ kind: 'model', name: 'm', metadata: { note: `\udfff` } }] }],
      [runPath, 'PATCH', { notes: `a${lone}` }],
      [`/orgs/${org}/projects`, 'POST', { name: `P${lone}`, slug: 'p-lone' }],
    ] as const) {
      const raw = JSON.stringify(body);
      const response = await user.api.request(method, path, raw, {});
      expect(response.status, raw).toBe(400);
      expectErrorShape(response.body, 'invalid_text');
    }
    const after = await user.api.get(runPath);
    expect(after.body.params).toEqual({ lr: 0.1 });
    // A proper pair, escaped or raw, is ordinary text.
    const pair = await user.api.request('PATCH', runPath, '{"notes": "\\ud83d\\ude00 and 😀"}', {});
    expect(pair.status).toBe(200);
    expect(pair.body.notes).toBe('😀 and 😀');
  });

  it('nesting deeper than 64 levels is a 400 json_too_deep, never a 500', async () => {
    const project = (await user.api.post(`/orgs/${org}/projects`, { name: 'Deep', slug: 'deep' })).body.slug;
    const run = (await user.api.post(`/orgs/${org}/projects/${project}/runs`, {})).body.key;
    const runPath = `/orgs/${org}/projects/${project}/runs/${run}`;
    // Built as text: the test's own recursion would overflow first.
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    for (const [levels, raw] of [
      [2_000, `{"streamId":"s","seq":0,"params":{"p":${deep(2_000)}}}`],
      [5_000, `{"streamId":"s","seq":1,"outputs":[{"kind":"model","name":"m","metadata":{"m":${deep(5_000)}}}]}`],
    ] as const) {
      const response = await user.api.request('POST', `${runPath}/batches`, raw, {});
      expect(response.status, `${levels} levels`).toBe(400);
      expect(response.body.error.code, `${levels} levels`).toBe('json_too_deep');
    }
    const fine = await user.api.request('POST', `${runPath}/batches`, `{"streamId":"s","seq":2,"params":{"p":${deep(20)}}}`, {});
    expect(fine.status).toBe(200);
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
