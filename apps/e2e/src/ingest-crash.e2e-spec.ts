import { afterAll, beforeAll, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { ApiClient, createOrg, createProject, signup } from '@trackbase/api/test/api-client';

// Batches are group-committed: many wait for one transaction. A SIGKILL of the
// server between their arrival and that commit must lose nothing that was
// acknowledged, and resending everything afterwards must store each batch once.
let server: ServerProcess;
beforeAll(async () => {
  server = await ServerProcess.start();
});
afterAll(() => server.stop('SIGKILL'));

it('a server killed while groups of batches are committing loses nothing acknowledged, and resent batches are stored once', async () => {
  const owner = await signup(server.url);
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const base = `/orgs/${org}/projects/${project}/runs`;
  const key = (await owner.api.post('/users/me/api-keys', { name: 'sdk' })).body.key as string;
  const runs = await Promise.all(Array.from({ length: 6 }, async () => (await owner.api.post(base, {})).body.key as string));
  const body = (seq: number) => ({
    streamId: 'w',
    seq,
    metrics: [{ name: 'loss', steps: [seq * 3, seq * 3 + 1, seq * 3 + 2], values: [1, 2, 3], times: [1, 2, 3] }],
  });

  const acked = new Map<string, Set<number>>(runs.map((r) => [r, new Set()]));
  const sent = new Map<string, number>(runs.map((r) => [r, 0]));
  let killed = false;
  const client = new ApiClient(server.url, key);
  const writers = runs.map(async (run) => {
    // Four batches of each run in flight at a time, so groups form.
    for (let seq = 0; !killed; seq += 4) {
      sent.set(run, seq + 4);
      await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const ack = await client.post(`${base}/${run}/batches`, body(seq + i)).catch(() => null);
          if (ack?.status === 200 && ack.body.duplicate === false) acked.get(run)!.add(seq + i);
        }),
      );
    }
  });
  while ([...acked.values()].reduce((n, s) => n + s.size, 0) < 120) await new Promise((r) => setTimeout(r, 20));
  killed = true;
  await server.stop('SIGKILL');
  await Promise.all(writers);
  await server.start();

  const after = new ApiClient(server.url, key);
  for (const run of runs) {
    const steps: number[] = (await after.get(`${base}/${run}/series?names=loss&maxPoints=100000`)).body[0]?.steps ?? [];
    const stored = new Set(steps.map((s) => Math.floor(s / 3)));
    for (const seq of acked.get(run)!) expect(stored.has(seq)).toBe(true);
    // Everything sent, again: what was stored is a duplicate, the rest is new; all of it once.
    for (let seq = 0; seq < sent.get(run)!; seq++) {
      const ack = await after.post(`${base}/${run}/batches`, body(seq));
      expect(ack.status).toBe(200);
      expect(ack.body.duplicate).toBe(stored.has(seq));
    }
    const final = (await after.get(`${base}/${run}/series?names=loss&maxPoints=100000`)).body[0];
    expect(final.totalPoints).toBe(sent.get(run)! * 3);
    expect(final.steps).toEqual(Array.from({ length: sent.get(run)! * 3 }, (_, i) => i));
  }
});
