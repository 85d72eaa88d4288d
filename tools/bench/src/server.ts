import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
export const SERVER_ENTRY = join(ROOT, 'apps/api/dist/apps/api/src/main.js');

export interface BenchServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the built API exactly as `npm start` does: with BENCH_DATABASE_URL
 * when set, else on its own embedded PostgreSQL in a throwaway data directory.
 * `nodeArgs` go to node before the entry point (e.g. `--cpu-prof`).
 */
export async function startServer(port: number, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  const url = `http://127.0.0.1:${port}`;
  // Something else answering on the port would be measured instead of this server.
  if (
    await fetch(`${url}/readyz`).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`port ${port} is in use; set BENCH_PORT`);
  const dataDir = mkdtempSync(join(tmpdir(), 'trackbase-bench-'));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, SERVER_ENTRY], {
    env: {
      ...process.env,
      PORT: String(port),
      TRACKBASE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_PER_MINUTE: '10000',
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Migrating a fresh database on a loaded machine can take minutes.
  const deadline = Date.now() + Number(process.env.BENCH_READY_SECONDS ?? 120) * 1000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        if ((await fetch(`${url}/readyz`)).ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error('server did not become ready');
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, stop };
}

export interface BenchProject {
  url: string;
  key: string;
  runs: string;
  project: string;
  org: string;
  /** The signed-up user's session (access and refresh token), for driving the web app. */
  tokens: unknown;
}

async function call(url: string, method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A user, an organization, a project and an API key, made through the API. */
export async function setupProject(url: string, slug = 'bench'): Promise<BenchProject> {
  const email = `bench-${Date.now()}@example.com`;
  await call(url, 'POST', '/auth/signup', undefined, { email, password: 'benchmark-password', name: 'Bench' });
  const tokens = await call(url, 'POST', '/auth/login', undefined, { email, password: 'benchmark-password' });
  const org = (await call(url, 'POST', '/orgs', tokens.accessToken, { name: 'Bench', slug: `${slug}-org` })).slug;
  const project = (await call(url, 'POST', `/orgs/${org}/projects`, tokens.accessToken, { name: 'Bench', slug })).slug;
  const key = (await call(url, 'POST', '/users/me/api-keys', tokens.accessToken, { name: 'bench' })).key;
  return { url, key, org, project, runs: `/orgs/${org}/projects/${project}/runs`, tokens };
}

export function api(p: BenchProject) {
  return (method: string, path: string, body?: unknown) => call(p.url, method, path, p.key, body);
}

/** What a benchmark's SDK run is started with: the project's key, a fresh journal directory, no system metrics, handlers or context. */
export function sdkRunOptions(p: BenchProject, dirPrefix: string) {
  return {
    url: p.url,
    apiKey: p.key,
    project: `${p.org}/${p.project}`,
    dir: mkdtempSync(join(tmpdir(), dirPrefix)),
    systemMetricsIntervalMs: 0,
    exitHandlers: false,
    context: false as const,
    log: (): undefined => undefined,
  };
}
