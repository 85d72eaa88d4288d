import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../database/embedded-postgres';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';

const TOKEN = 'metrics-token-for-the-tests';
let t: TestApp;
let user: TestUser;
let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  t = await startTestApp({ METRICS_TOKEN: TOKEN, METRICS_PORT: String(metricsPort) });
  user = await signup(t.url);
});
afterAll(() => t?.close());

const scrape = (url: string, token?: string) => fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The value of one sample line, e.g. `trackbase_ingest_points_total 30`. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  it('refuses a missing or wrong token', async () => {
    expect((await scrape(t.url)).status).toBe(401);
    expect((await scrape(t.url, `${TOKEN}x`)).status).toBe(401);
    expect((await scrape(t.url, TOKEN)).status).toBe(200);
  });

  it('counts committed batches, their points and requests by route pattern; a retried batch counts as duplicate', async () => {
    const org = (await createOrg(user)).slug;
    const project = (await createProject(user, org)).slug;
    const run = (await user.api.post(`/orgs/${org}/projects/${project}/runs`, {})).body.key;
    const batch = {
      streamId: 'm',
      seq: 0,
      metrics: [{ name: 'loss', steps: Array.from({ length: 30 }, (_, i) => i), values: Array(30).fill(1), times: Array(30).fill(0) }],
    };
    const path = `/orgs/${org}/projects/${project}/runs/${run}/batches`;
    expect((await user.api.post(path, batch)).status).toBe(200);
    expect((await user.api.post(path, batch)).status).toBe(200); // the same (streamId, seq) again

    const response = await scrape(t.url, TOKEN);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(sample(text, 'trackbase_ingest_points_total')).toBe(30);
    expect(sample(text, 'trackbase_ingest_batches_total', '{outcome="committed"}')).toBe(1);
    expect(sample(text, 'trackbase_ingest_batches_total', '{outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'trackbase_ingest_batch_points_count')).toBe(1);
    const route = '/api/v1/orgs/:org/projects/:project/runs/:run/batches';
    expect(sample(text, 'trackbase_http_requests_total', `{method="POST",route="${route}",status="200"}`)).toBe(2);
    expect(text).not.toContain(run); // no ids in labels
    expect(sample(text, 'trackbase_db_pool_connections', '{state="total"}')).toBeGreaterThan(0);
    expect(sample(text, 'trackbase_realtime_subscribers')).toBe(0);
    expect(sample(text, 'trackbase_storage_janitor_queue')).toBe(0);
    expect(text).toContain('trackbase_process_resident_memory_bytes');
  });

  it('serves the same text on METRICS_PORT without a token', async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('trackbase_http_requests_total');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
  });
});
