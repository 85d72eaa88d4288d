import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { createTestDatabase } from '@trackbase/api/test/test-app';

// Two API processes sharing one Redis: a client's allowance of sign-in attempts is the same
// whichever node its requests land on, not multiplied by the number of nodes.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 5;
const nodes: ServerProcess[] = [];

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // A prefix of their own: other servers on this Redis (other tests) count their sign-ins apart.
  const env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: `test-${process.pid}-${Date.now()}`,
    AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    LOG_LEVEL: 'error',
  };
  for (let i = 0; i < 2; i++) nodes.push(await ServerProcess.start(env, { databaseUrl }));
}, 120_000);
afterAll(() => Promise.all(nodes.map((n) => n.stop())));

describe('rate limits across nodes', () => {
  it('sign-in attempts alternating between two nodes are limited once, in total', async () => {
    const email = `nobody-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 2 * LIMIT; attempt++) {
      const node = nodes[attempt % 2]!;
      const response = await fetch(`${node.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'wrong password here' }),
      });
      statuses.push(response.status);
    }
    // Per-process counters would allow LIMIT attempts on each node (2 × LIMIT in all).
    expect(statuses.slice(0, LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual(Array(LIMIT).fill(429));
  });
});
