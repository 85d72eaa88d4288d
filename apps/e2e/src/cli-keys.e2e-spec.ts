import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { createProject } from '@trackbase/api/test/api-client';
import { setupProject, tempDir } from './sdk-helpers';

// `trackbase keys create|list|revoke` through both CLIs (npm and Python), same flags, against the real API.
const TS_CLI = resolve(__dirname, '../../../libs/sdk/dist/cli.js');
const PY_SRC = resolve(__dirname, '../../../libs/sdk-python/src');
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;

beforeAll(async () => {
  server = await ServerProcess.start({ TRACKBASE_DATA_DIR: tempDir('tb-e2e-data-') });
  p = await setupProject(server.url);
}, 120_000);
afterAll(() => server.stop());

function cli(
  which: 'ts' | 'python',
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [command, prefix] = which === 'ts' ? [process.execPath, [TS_CLI]] : ['python3', ['-m', 'trackbase.cli']];
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TRACKBASE_')));
  return new Promise((done) => {
    const child = spawn(command, [...prefix, ...args], {
      env: { ...base, TRACKBASE_URL: server.url, TRACKBASE_CONFIG_DIR: tempDir('tb-cli-config-'), PYTHONPATH: PY_SRC, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

async function status(key: string, path: string, method = 'GET'): Promise<number> {
  return (
    await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{}',
    })
  ).status;
}

for (const which of ['ts', 'python'] as const) {
  it(`the ${which} CLI creates a read-only, project-limited, expiring key, lists it and revokes it`, async () => {
    const session = { TRACKBASE_EMAIL: p.owner.email, TRACKBASE_PASSWORD: p.owner.password };
    const created = await cli(
      which,
      ['keys', 'create', `ci-${which}`, '--read-only', '--project', p.ref, '--expires', '30d', '--json'],
      session,
    );
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ access: 'read', organization: p.org, projects: [p.project] });
    expect(Math.abs(Date.parse(key.expiresAt) - (Date.now() + 30 * 86_400_000))).toBeLessThan(600_000);
    expect(await status(key.key, `/orgs/${p.org}/projects/${p.project}`)).toBe(200);
    expect(await status(key.key, `/orgs/${p.org}/projects/${p.project}/runs`, 'POST')).toBe(403);
    const other = (await createProject(p.owner, p.org)).slug;
    expect(await status(key.key, `/orgs/${p.org}/projects/${other}`)).toBe(404);

    const listed = await cli(which, ['keys', 'list', '--json'], { TRACKBASE_API_KEY: p.key });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((k: { id: string }) => k.id)).toContain(key.id);
    expect((await cli(which, ['keys', 'list'], { TRACKBASE_API_KEY: p.key })).stdout).toContain(`read-only · ${p.ref}`);

    // Keys never manage keys: the CLI asks for a session, and the server refuses a key passed as one.
    const noSession = await cli(which, ['keys', 'revoke', key.id], { TRACKBASE_API_KEY: p.key });
    expect(noSession.code).toBe(2);
    expect(noSession.stderr).toContain('TRACKBASE_PASSWORD');
    expect((await cli(which, ['keys', 'revoke', key.id], { TRACKBASE_ACCESS_TOKEN: p.key })).code).toBe(3);

    const revoked = await cli(which, ['keys', 'revoke', key.prefix], session);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await status(key.key, '/users/me')).toBe(401);
    const bad = await cli(which, ['keys', 'create', 'x', '--expires', 'soon'], session);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expires');
  });
}
