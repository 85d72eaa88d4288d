import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrg, createProject, signup } from '@trackbase/api/test/api-client';

export async function setupProject(url: string) {
  const owner = await signup(url);
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  const key = (await owner.api.post('/users/me/api-keys', { name: 'sdk' })).body.key as string;
  return { owner, org, project, key, ref: `${org}/${project}` };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** All points of one series, as the server has them. */
export async function seriesSteps(url: string, key: string, org: string, project: string, run: string, name: string): Promise<number[]> {
  const response = await fetch(
    `${url}/api/v1/orgs/${org}/projects/${project}/runs/${run}/series?names=${encodeURIComponent(name)}&maxPoints=100000`,
    {
      headers: { authorization: `Bearer ${key}` },
    },
  );
  const body = (await response.json()) as Array<{ steps: number[] }>;
  return body[0]?.steps ?? [];
}

/** What a process that died mid-upload leaves behind: the first part of a multipart plan stored and reported, nothing completed. */
export async function sendFirstPart(
  url: string,
  key: string,
  org: string,
  project: string,
  plan: { uploadId: string; partSize: number },
  content: Buffer,
): Promise<void> {
  const { createHash } = await import('node:crypto');
  const base = `${url}/api/v1/orgs/${org}/projects/${project}/uploads/${plan.uploadId}`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const bytes = content.subarray(0, plan.partSize);
  const md5 = createHash('md5').update(bytes).digest('base64');
  const { parts } = (await post('part-urls', { parts: [{ partNumber: 1, md5 }] })) as {
    parts: Array<{ url: string; headers: Record<string, string> }>;
  };
  const put = await fetch(parts[0]!.url, { method: 'PUT', headers: parts[0]!.headers, body: new Uint8Array(bytes) });
  if (put.status !== 200) throw new Error(`part PUT: ${put.status}`);
  await post('parts', { partNumber: 1, etag: put.headers.get('etag'), md5, size: bytes.length });
}

export interface Exited {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a Node script (the CLI) to its end, collecting its output. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Exited> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [script, ...args], { env, ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
