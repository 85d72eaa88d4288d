import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { seriesSteps, setupProject } from './sdk-helpers';

// The database dies under a running API (killed, as in a crash or a failover) while a client ingests.
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;

beforeAll(async () => {
  server = await ServerProcess.start({ LOG_LEVEL: 'error' }, { embedded: true });
  p = await setupProject(server.url);
}, 120_000);
afterAll(() => server.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the database going away', () => {
  it('answers 503 with Retry-After while it is gone, recovers by itself, and loses nothing acknowledged', async () => {
    const headers = { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' };
    const runsUrl = `${server.url}/api/v1/orgs/${p.org}/projects/${p.project}/runs`;
    const run = (await (await fetch(runsUrl, { method: 'POST', headers, body: '{}' })).json()) as { key: string };
    const batchesUrl = `${runsUrl}/${run.key}/batches`;

    const unavailable: Array<{ status: number; retryAfter: string | null; code: string }> = [];
    let acknowledged = 0;
    // Sends batch `seq` until it is acknowledged, as the SDK does (same stream and seq on every retry).
    const send = async (seq: number) => {
      const body = JSON.stringify({
        streamId: 'outage',
        seq,
        metrics: [{ name: 'loss', steps: [seq], values: [seq / 10], times: [Date.now()] }],
      });
      for (;;) {
        const response = await fetch(batchesUrl, { method: 'POST', headers, body }).catch(() => undefined);
        if (response?.status === 200) {
          acknowledged += 1;
          return;
        }
        if (response) {
          const payload = (await response.json()) as { error?: { code: string } };
          expect(response.status, JSON.stringify(payload)).toBe(503);
          unavailable.push({ status: response.status, retryAfter: response.headers.get('retry-after'), code: payload.error?.code ?? '' });
        }
        await sleep(100);
      }
    };

    for (let seq = 0; seq < 20; seq++) await send(seq);
    // Kill the postmaster outright, as a crash would.
    const pid = Number.parseInt(readFileSync(join(server.dataDir!, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
    process.kill(pid, 'SIGKILL');
    // Readiness follows the outage: watched while the client keeps sending.
    const readiness: number[] = [];
    const watching = (async () => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !(readiness.includes(503) && readiness.at(-1) === 200)) {
        readiness.push(
          await fetch(`${server.url}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        await sleep(20);
      }
    })();
    for (let seq = 20; seq < 60; seq++) await send(seq);
    await watching;
    expect(readiness).toContain(503);
    expect(readiness.filter((status) => status !== 200 && status !== 503)).toEqual([]);

    expect(acknowledged).toBe(60);
    for (const answer of unavailable) expect(answer).toEqual({ status: 503, retryAfter: '2', code: 'database_unavailable' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    // Every acknowledged point exactly once.
    expect(await seriesSteps(server.url, p.key, p.org, p.project, run.key, 'loss')).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });
});
