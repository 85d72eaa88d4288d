import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { createTestDatabase } from '@trackbase/api/test/test-app';
import { addOrgMember, setProjectRole } from '@trackbase/api/test/api-client';
import { setupProject } from './sdk-helpers';

// Two API nodes on one database and Redis, with a long key cache: revoking a key on one node ends
// it on the other at once, for requests and for the sockets opened with it.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const nodes: ServerProcess[] = [];

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  const env = { REDIS_URL, ACCESS_CACHE_TTL_MS: '60000', LOG_LEVEL: 'error' };
  for (let i = 0; i < 2; i++) nodes.push(await ServerProcess.start(env, { databaseUrl }));
}, 120_000);
afterAll(() => Promise.all(nodes.map((n) => n.stop())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('revoking an API key across nodes', () => {
  it('refuses the key on the other node at once and disconnects its sockets there', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const p = await setupProject(a.url);
    const created = await p.owner.api.post('/users/me/api-keys', { name: 'doomed' });
    const { key, id } = created.body as { key: string; id: string };
    const batches = (url: string) => `${url}/api/v1/orgs/${p.org}/projects/${p.project}/runs`;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const run = (await (await fetch(batches(b.url), { method: 'POST', headers, body: '{}' })).json()) as { key: string };
    const heartbeat = () => fetch(`${batches(b.url)}/${run.key}/heartbeat`, { method: 'POST', headers, body: '{}' });
    expect((await heartbeat()).status).toBe(200); // node B now holds the key in its cache

    const socket = io(b.url, { path: '/socket.io', auth: { token: key }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

    // Revoked through node A, with a signed-in session.
    const revoked = await fetch(`${a.url}/api/v1/users/me/api-keys/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${p.owner.tokens.accessToken}` },
    });
    expect(revoked.status).toBe(204);

    const started = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - started < 5_000) {
      status = (await heartbeat()).status;
      if (status !== 401) await sleep(50);
    }
    expect(status).toBe(401);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await Promise.race([disconnected, sleep(2_000).then(() => 'still connected')])).toBe('io server disconnect');
  });

  it('a logout or a removal from the organization on one node disconnects the sockets on the other', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const p = await setupProject(a.url);
    const member = await addOrgMember(p.owner, p.org, 'member');
    await setProjectRole(p.owner, p.org, p.project, member.id, 'viewer');
    const open = async (token: string) => {
      const socket = io(b.url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const ack = await socket.timeout(5_000).emitWithAck('follow', { org: p.org, project: p.project });
      expect(ack).toMatchObject({ ok: true });
      const ended = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      return Promise.race([ended, sleep(3_000).then(() => 'still connected')]);
    };
    const ownerEnded = open(p.owner.tokens.accessToken);
    const memberEnded = open(member.tokens.accessToken);
    await sleep(300);
    const logout = await fetch(`${a.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.owner.tokens.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: p.owner.tokens.refreshToken }),
    });
    expect(logout.status).toBe(204);
    expect(await ownerEnded).toBe('io server disconnect');
    expect((await p.owner.api.delete(`/orgs/${p.org}/members/${member.id}`)).status).toBe(401); // the session is gone
    const again = await p.owner.api.post('/auth/login', { email: p.owner.email, password: p.owner.password });
    const removed = await fetch(`${a.url}/api/v1/orgs/${p.org}/members/${member.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${again.body.accessToken}` },
    });
    expect(removed.status).toBe(204);
    expect(await memberEnded).toBe('io server disconnect');
  });
});
