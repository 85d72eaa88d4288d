import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll } from '../../test/upload-client';

let t: TestApp;
let owner: TestUser;
let viewer: TestUser;
let projectPath: string;

beforeAll(async () => {
  t = await startTestApp({ STORAGE_JANITOR_INTERVAL_MS: '3600000' });
  owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  const project = (await createProject(owner, org)).slug;
  projectPath = `/orgs/${org}/projects/${project}`;
  viewer = await addOrgMember(owner, org, 'member', 'Viewer');
  await setProjectRole(owner, org, project, viewer.id, 'viewer');
}, 120_000);
afterAll(() => t?.close());

const versions = (name: string) => `${projectPath}/artifacts/${name}/versions`;

async function logVersion(name: string, files: Record<string, Buffer>) {
  const declared = await owner.api.post(versions(name), { kind: 'model', files: Object.entries(files).map(([p, c]) => declaration(p, c)) });
  await sendAll(owner.api, projectPath, declared.body, files);
  return (await owner.api.post(`${versions(name)}/${declared.body.version.id}/commit`)).body;
}

async function runWithFile(body: Record<string, unknown>, state?: string) {
  const run = (await owner.api.post(`${projectPath}/runs`, body)).body;
  const content = randomBytes(256);
  const declared = await owner.api.post(`${projectPath}/runs/${run.key}/files`, { files: [declaration('out/log.txt', content)] });
  await sendAll(owner.api, projectPath, declared.body, { 'out/log.txt': content });
  if (state) await owner.api.patch(`${projectPath}/runs/${run.key}`, { state });
  return run;
}

describe('retention policies', () => {
  it('validates the policy: a run filter needs its days, and must parse', async () => {
    const lonely = await owner.api.put(`${projectPath}/retention`, { runFilter: 'state = "failed"' });
    expect(lonely.status).toBe(400);
    expect(lonely.body.error.code).toBe('invalid_retention_policy');
    const bad = await owner.api.put(`${projectPath}/retention`, { runFilter: 'params.lr >', runFilterDays: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_filter');
    expect((await viewer.api.put(`${projectPath}/retention`, { keepLastVersions: 1 })).status).toBe(403);
    expect((await viewer.api.post(`${projectPath}/retention/preview`)).status).toBe(403);
    expect((await viewer.api.get(`${projectPath}/retention`)).body).toMatchObject({ keepLastVersions: null, updatedAt: null });
  });

  it('the dry run lists exactly what applying the policy then moves to the trash', async () => {
    const v = [];
    for (let i = 0; i < 4; i++) v.push(await logVersion('model', { 'w.bin': randomBytes(64 + i) }));
    await owner.api.put(`${projectPath}/artifacts/model/aliases/production`, { version: 'v1' });
    await logVersion('other', { 'x.bin': randomBytes(10) });
    const scratch = await runWithFile({ tags: ['scratch'] });
    const kept = await runWithFile({ tags: ['keep'] });
    const failed = await runWithFile({ tags: ['keep'] }, 'failed');
    const failedScratch = await runWithFile({ tags: ['scratch'] }, 'failed');

    const put = await owner.api.put(`${projectPath}/retention`, {
      keepLastVersions: 2,
      failedRunFilesDays: 0,
      runFilter: 'tags CONTAINS "scratch"',
      runFilterDays: 0,
    });
    expect(put.status).toBe(200);
    expect((await viewer.api.get(`${projectPath}/retention`)).body).toMatchObject({ keepLastVersions: 2, runFilterDays: 0 });

    const preview = await owner.api.post(`${projectPath}/retention/preview`);
    expect(preview.status).toBe(200);
    // v1 is aliased, v3 and v4 are the newest two; the one version of `other` stays.
    expect(preview.body).toEqual({
      dryRun: true,
      artifactVersions: [{ id: v[1].id, artifact: 'model', version: 'v2' }],
      runs: [
        { id: scratch.id, key: scratch.key },
        { id: failedScratch.id, key: failedScratch.key },
      ],
      runFiles: [{ runId: failed.id, runKey: failed.key, path: 'out/log.txt' }],
    });
    // Nothing moved yet.
    expect((await owner.api.get(`${projectPath}/trash`)).body.items).toEqual([]);

    const applied = await owner.api.post(`${projectPath}/retention/apply`);
    expect(applied.status).toBe(200);
    expect(applied.body).toEqual({ ...preview.body, dryRun: false });

    const trash = (await owner.api.get(`${projectPath}/trash`)).body.items.map((i: { kind: string; id: string }) => `${i.kind}:${i.id}`);
    expect(trash.sort()).toEqual([`artifact_version:${v[1].id}`, `run:${scratch.id}`, `run:${failedScratch.id}`].sort());
    expect((await owner.api.get(`${projectPath}/runs/${failed.key}/files`)).body.entries).toEqual([]);
    expect((await owner.api.get(`${projectPath}/runs/${kept.key}/files`)).body.entries).toHaveLength(1);
    expect((await owner.api.get(`${versions('model')}/v2`)).status).toBe(404);
    expect((await owner.api.get(`${versions('model')}/v1`)).status).toBe(200);

    // Applied once, the policy has nothing left to take.
    expect((await owner.api.post(`${projectPath}/retention/preview`)).body).toEqual({
      dryRun: true,
      artifactVersions: [],
      runs: [],
      runFiles: [],
    });
  });
});
