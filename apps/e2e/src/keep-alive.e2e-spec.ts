import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** GET /healthz through `agent`, answering with the socket it went over. */
function healthz(agent: Agent, url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const request = get(`${url}/healthz`, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(request.socket as Socket));
    });
    request.on('error', reject);
  });
}

/** Whether an idle keep-alive connection is still open after `idleMs`, so the next request reuses it. */
async function reusedAfter(idleMs: number): Promise<boolean> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await healthz(agent, server!.url);
    await sleep(idleMs);
    const second = await healthz(agent, server!.url);
    return first === second;
  } finally {
    agent.destroy();
  }
}

// A client pool or a load balancer reuses idle connections for up to a minute; Node's default closes them after
// 5 s, and a request sent as the server closes is reset (seen with the MLflow client's artifact downloads).
it('keeps an idle keep-alive connection open past Node’s 5 s default, as long as KEEP_ALIVE_TIMEOUT_SECONDS says', async () => {
  server = await ServerProcess.start();
  expect(await reusedAfter(6_000)).toBe(true);
  await server.stop();

  server = await ServerProcess.start({ KEEP_ALIVE_TIMEOUT_SECONDS: '1' });
  expect(await reusedAfter(2_000)).toBe(false);
});
