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
  const response = await fetch(`${url}/api/v1/orgs/${org}/projects/${project}/runs/${run}/series?names=${encodeURIComponent(name)}&maxPoints=100000`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const body = (await response.json()) as Array<{ steps: number[] }>;
  return body[0]?.steps ?? [];
}
