import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '@trackbase/api/src/database/embedded-postgres';

// The product as `npm start` runs it: the built server, no DATABASE_URL, an
// embedded PostgreSQL under the data directory, then a restart on the same data.
const ENTRY = resolve(__dirname, '../../api/dist/apps/api/src/main.js');
const dataDir = mkdtempSync(join(tmpdir(), 'trackbase-start-'));
chmodSync(dataDir, 0o755);
let child: ChildProcess | undefined;

async function start(port: number): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TRACKBASE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const proc = spawn(process.execPath, [ENTRY], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.status)
      .catch(() => 0);
    if (ready === 200) return proc;
    if (Date.now() > deadline) throw new Error('not ready in time');
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function stop(proc: ChildProcess): Promise<number | null> {
  proc.kill('SIGTERM');
  return new Promise((r) => proc.once('exit', (code) => r(code)));
}

afterAll(async () => {
  if (child && child.exitCode === null) await stop(child);
});

it('boots on an embedded database with zero configuration and keeps its data across a restart', async () => {
  const port = await freePort();
  child = await start(port);
  const base = `http://127.0.0.1:${port}`;
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const signup = await fetch(`${base}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'first@example.com', password: 'a long password', name: 'First' }),
  });
  expect(signup.status).toBe(202);
  expect(await stop(child)).toBe(0);

  child = await start(port);
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'first@example.com', password: 'a long password' }),
  });
  expect(login.status).toBe(200);
  const openapi = (await (await fetch(`${base}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  expect(openapi.openapi).toMatch(/^3\./);
  expect(Object.keys(openapi.paths)).toContain('/api/v1/orgs/{org}/projects/{project}/runs/{run}/batches');
  expect((await fetch(`${base}/api/docs`)).headers.get('content-type')).toContain('text/html');
}, 240_000);
