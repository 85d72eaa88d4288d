import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startS3rver, type TestS3 } from '../../test/s3rver';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll, sha256 } from '../../test/upload-client';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { StorageJanitor } from '../storage/storage-janitor.service';

describe.each(['local', 's3'] as const)('trash on the %s store', (driverName) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let owner: TestUser;
  let maintainer: TestUser;
  let contributor: TestUser;
  let viewer: TestUser;
  let org: string;
  let project: string;
  let projectPath: string;
  let driver: StorageDriver;

  beforeAll(async () => {
    s3 = driverName === 's3' ? await startS3rver() : undefined;
    t = await startTestApp({ ...(s3?.env ?? {}), STORAGE_JANITOR_INTERVAL_MS: '3600000' });
    driver = t.app.get(STORAGE_DRIVER);
    owner = await signup(t.url, 'Owner');
    org = (await createOrg(owner)).slug;
    project = (await createProject(owner, org)).slug;
    projectPath = `/orgs/${org}/projects/${project}`;
    maintainer = await addOrgMember(owner, org, 'member', 'Maintainer');
    viewer = await addOrgMember(owner, org, 'member', 'Viewer');
    contributor = await addOrgMember(owner, org, 'member', 'Contributor');
    await setProjectRole(owner, org, project, maintainer.id, 'maintainer');
    await setProjectRole(owner, org, project, contributor.id, 'contributor');
    await setProjectRole(owner, org, project, viewer.id, 'viewer');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const runs = () => `${projectPath}/runs`;
  const versions = (name: string) => `${projectPath}/artifacts/${name}/versions`;
  const usedBytes = async () => (await owner.api.get(`/orgs/${org}/storage`)).body.usedBytes as number;
  const objectKeys = async (hashes: string[]) =>
    (await t.dataSource.query(`SELECT sha256, key FROM stored_objects WHERE sha256 = ANY($1) ORDER BY sha256`, [hashes])) as Array<{
      sha256: string;
      key: string;
    }>;

  async function logVersion(name: string, files: Record<string, Buffer>) {
    const declared = await owner.api.post(versions(name), {
      kind: 'model',
      files: Object.entries(files).map(([p, c]) => declaration(p, c)),
    });
    expect(declared.status).toBeLessThan(300);
    if (declared.body.version.state === 'committed') return declared.body.version;
    await sendAll(owner.api, projectPath, declared.body, files);
    return (await owner.api.post(`${versions(name)}/${declared.body.version.id}/commit`)).body;
  }

  async function runWithFile(extra: Record<string, unknown> = {}) {
    const run = (await owner.api.post(runs(), extra)).body;
    const content = randomBytes(2048);
    const declared = await owner.api.post(`${runs()}/${run.key}/files`, { files: [declaration('model.bin', content)] });
    await sendAll(owner.api, projectPath, declared.body, { 'model.bin': content });
    return { run, content };
  }

  it('a deleted run is hidden from every read, and a maintainer restores it whole', async () => {
    const { run } = await runWithFile({ externalId: `job-${driverName}`, tags: ['trashme'] });
    await owner.api.post(`${runs()}/${run.key}/batches`, {
      streamId: 's',
      seq: 0,
      metrics: [{ name: 'loss', steps: [0, 1], values: [1, 0.5], times: [1, 2] }],
    });
    expect((await owner.api.delete(`${runs()}/${run.key}`)).status).toBe(204);

    for (const path of [`${runs()}/${run.key}`, `${runs()}/${run.id}`, `${runs()}/${run.key}/series`, `${runs()}/${run.key}/files`]) {
      expect((await owner.api.get(path)).status, path).toBe(404);
    }
    const listed = await owner.api.get(`${runs()}?filter=${encodeURIComponent('tags CONTAINS "trashme"')}`);
    expect(listed.body.items).toEqual([]);
    expect((await owner.api.get(`${projectPath}/series?runs=${run.key}`)).status).toBe(404);
    // The MLflow door answers as for a run that never existed.
    const key = (await owner.api.post('/users/me/api-keys', { name: 'mlflow' })).body.key;
    const mlflowGet = () =>
      fetch(`${t.url}/mlflow/${org}/api/2.0/mlflow/runs/get?run_id=${run.id}`, { headers: { authorization: `Bearer ${key}` } });
    const gone = await mlflowGet();
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    // Writing to it is refused like writing to a run that does not exist.
    expect((await owner.api.patch(`${runs()}/${run.key}`, { tags: ['x'] })).status).toBe(404);

    const trash = await maintainer.api.get(`${projectPath}/trash`);
    expect(trash.status).toBe(200);
    expect(trash.body.items).toMatchObject([
      { kind: 'run', id: run.id, label: `${run.key} (${run.name})`, deletedBy: owner.id, sizeBytes: 2048 },
    ]);
    const days = (Date.parse(trash.body.items[0].purgeAfter) - Date.parse(trash.body.items[0].deletedAt)) / 86_400_000;
    expect(Math.round(days)).toBe(30);

    expect((await viewer.api.get(`${projectPath}/trash`)).status).toBe(403);
    expect((await viewer.api.post(`${projectPath}/trash/run/${run.id}/restore`)).status).toBe(403);
    expect((await maintainer.api.post(`${projectPath}/trash/run/${run.id}/restore`)).status).toBe(204);

    expect((await mlflowGet()).status).toBe(200);
    const back = await viewer.api.get(`${runs()}/${run.key}`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: run.id, externalId: `job-${driverName}`, tags: ['trashme'] });
    expect((await viewer.api.get(`${runs()}/${run.key}/files`)).body.entries).toHaveLength(1);
    expect((await maintainer.api.get(`${projectPath}/trash`)).body.items).toEqual([]);
    const audit = (await owner.api.get(`/orgs/${org}/audit-log?limit=20`)).body.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['run.trashed', 'run.restored']));
  });

  it('a trashed run gives up its external id to a new run', async () => {
    const first = (await owner.api.post(runs(), { externalId: `shared-${driverName}` })).body;
    await owner.api.delete(`${runs()}/${first.key}`);
    const second = await owner.api.post(runs(), { externalId: `shared-${driverName}` });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.id);
    await owner.api.post(`${projectPath}/trash/run/${first.id}/restore`);
    expect((await owner.api.get(`${runs()}/${first.key}`)).body.externalId).toBeNull();
  });

  it('expired trash is purged by the janitor: rows, objects no live item shares, and quota', async () => {
    const { run, content } = await runWithFile();
    const shared = randomBytes(3000);
    const only = randomBytes(4000);
    await logVersion('ckpt', { 'shared.bin': shared });
    await logVersion('ckpt', { 'shared.bin': shared, 'only.bin': only });
    const before = await usedBytes();
    const keys = await objectKeys([sha256(content), sha256(shared), sha256(only)]);
    expect(keys).toHaveLength(3);

    expect((await owner.api.delete(`${versions('ckpt')}/v2`)).status).toBe(204);
    expect((await owner.api.get(`${versions('ckpt')}/v2`)).status).toBe(404);
    expect((await owner.api.get(`${versions('ckpt')}/latest`)).body.version).toBe('v1');
    expect((await owner.api.delete(`${runs()}/${run.key}`)).status).toBe(204);
    // In the trash, nothing is freed yet.
    await t.app.get(StorageJanitor).runOnce();
    expect(await usedBytes()).toBe(before);

    await t.dataSource.query(`UPDATE runs SET purge_after = now() WHERE id = $1`, [run.id]);
    await t.dataSource.query(`UPDATE artifact_versions SET purge_after = now() WHERE deleted_at IS NOT NULL`);
    const pass = await t.app.get(StorageJanitor).runOnce();
    expect(pass.purged).toEqual({ runs: 1, artifacts: 0, artifactVersions: 1, projects: 0 });
    const audit = (await owner.api.get(`/orgs/${org}/audit-log?limit=50`)).body.items;
    expect(audit).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'run.purged', targetId: run.id, details: { by: 'storage janitor' } })]),
    );
    expect(await usedBytes()).toBe(before - content.length - only.length);
    const left = await objectKeys([sha256(content), sha256(shared), sha256(only)]);
    expect(left.map((k) => k.sha256)).toEqual([sha256(shared)]);
    for (const k of keys) expect(await driver.head(k.key), k.sha256).toEqual(k.sha256 === sha256(shared) ? expect.anything() : null);
    expect((await owner.api.get(`${versions('ckpt')}/v1/files`)).status).toBe(200);
    expect((await owner.api.get(`${projectPath}/trash`)).body.items).toEqual([]);
  });

  it('purge now deletes a trashed item at once; restoring a version brings back its aliases', async () => {
    const v1 = await logVersion('weights', { 'a.bin': randomBytes(100) });
    const v2 = await logVersion('weights', { 'b.bin': randomBytes(100) });
    await owner.api.put(`${projectPath}/artifacts/weights/aliases/best`, { version: 'v2' });
    await owner.api.delete(`${versions('weights')}/v2`);
    expect((await owner.api.get(`${versions('weights')}/best`)).status).toBe(404);
    expect((await owner.api.get(`${versions('weights')}/latest`)).body.id).toBe(v1.id);
    expect((await owner.api.post(`${projectPath}/trash/artifact_version/${v2.id}/restore`)).status).toBe(204);
    expect((await owner.api.get(`${versions('weights')}/best`)).body.id).toBe(v2.id);
    expect((await owner.api.get(`${versions('weights')}/latest`)).body.id).toBe(v2.id);

    await owner.api.delete(`${versions('weights')}/v1`);
    expect((await viewer.api.delete(`${projectPath}/trash/artifact_version/${v1.id}`)).status).toBe(403);
    expect((await owner.api.delete(`${projectPath}/trash/artifact_version/${v1.id}`)).status).toBe(204);
    expect((await owner.api.post(`${projectPath}/trash/artifact_version/${v1.id}/restore`)).status).toBe(404);
    expect(await t.dataSource.query(`SELECT id FROM artifact_versions WHERE id = $1`, [v1.id])).toEqual([]);
  });

  it('a deleted artifact goes to the trash whole; its name is free, and restoring it while taken answers 409', async () => {
    const name = `art-${driverName}`;
    const v1 = await logVersion(name, { 'a.bin': randomBytes(500) });
    const v2 = await logVersion(name, { 'a.bin': randomBytes(700) });
    await owner.api.put(`${projectPath}/artifacts/${name}/aliases/best`, { version: 'v1' });
    const artifact = (await owner.api.get(`${projectPath}/artifacts/${name}`)).body;
    expect((await contributor.api.delete(`${projectPath}/artifacts/${name}`)).status).toBe(403);
    expect((await maintainer.api.delete(`${projectPath}/artifacts/${name}`)).status).toBe(204);

    for (const path of [
      `${projectPath}/artifacts/${name}`,
      `${versions(name)}/v1`,
      `${versions(name)}/best`,
      `${versions(name)}/${v2.id}/files`,
    ]) {
      expect((await owner.api.get(path)).status, path).toBe(404);
    }
    expect((await owner.api.get(`${projectPath}/artifacts`)).body.map((a: { name: string }) => a.name)).not.toContain(name);
    // Its versions are hidden with it, even to queries that read versions directly.
    const [{ organization_id: orgId }] = await t.dataSource.query(`SELECT organization_id FROM artifacts WHERE id = $1`, [artifact.id]);
    const asTenant = (sql: string, params: unknown[]) =>
      t.dataSource.transaction(async (em) => {
        await em.query(`SET LOCAL ROLE trackbase_tenant`);
        await em.query(`SELECT set_config('trackbase.org_id', $1, true)`, [orgId]);
        return em.query(sql, params);
      });
    const tenantVersions = await asTenant(`SELECT id FROM artifact_versions WHERE id = ANY($1::uuid[])`, [[v1.id, v2.id]]);
    expect(tenantVersions).toEqual([]);

    const item = (await maintainer.api.get(`${projectPath}/trash`)).body.items.find((i: { id: string }) => i.id === artifact.id);
    expect(item).toMatchObject({ kind: 'artifact', label: name, deletedBy: maintainer.id, sizeBytes: 1200 });
    // The versions are not listed one by one: they go and come back with their artifact.
    expect((await maintainer.api.get(`${projectPath}/trash`)).body.items.map((i: { id: string }) => i.id)).not.toContain(v1.id);

    // A new artifact may take the name meanwhile; the trashed one cannot come back over it.
    const newer = await logVersion(name, { 'b.bin': randomBytes(50) });
    const taken = await maintainer.api.post(`${projectPath}/trash/artifact/${artifact.id}/restore`);
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('artifact_name_taken');
    expect((await contributor.api.post(`${projectPath}/trash/artifact/${artifact.id}/restore`)).status).toBe(403);
    expect((await viewer.api.post(`${projectPath}/trash/artifact/${artifact.id}/restore`)).status).toBe(403);

    expect((await owner.api.delete(`${projectPath}/artifacts/${name}`)).status).toBe(204);
    expect((await maintainer.api.post(`${projectPath}/trash/artifact/${artifact.id}/restore`)).status).toBe(204);
    expect((await viewer.api.get(`${versions(name)}/best`)).body.id).toBe(v1.id);
    expect((await viewer.api.get(`${versions(name)}/latest`)).body.id).toBe(v2.id);
    expect((await viewer.api.get(`${versions(name)}/${newer.id}`)).status).toBe(404);
    expect(await asTenant(`SELECT id FROM artifact_versions WHERE id = ANY($1::uuid[]) ORDER BY number`, [[v1.id, v2.id]])).toEqual([
      { id: v1.id },
      { id: v2.id },
    ]);
    const trash = (await maintainer.api.get(`${projectPath}/trash`)).body.items.map((i: { id: string }) => i.id);
    expect(trash).not.toContain(artifact.id);
    expect(trash).toHaveLength(new Set(trash).size);
    const audit = (await owner.api.get(`/orgs/${org}/audit-log?limit=20`)).body.items;
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'artifact.trashed',
          targetId: artifact.id,
          details: expect.objectContaining({ reason: 'deleted', name }),
        }),
        expect.objectContaining({ action: 'artifact.restored', targetId: artifact.id }),
      ]),
    );
  });

  it('an expired trashed artifact is purged by the janitor with its objects and quota; purge now works too', async () => {
    const name = `gone-${driverName}`;
    const shared = randomBytes(1500);
    const own = randomBytes(2500);
    await logVersion(name, { 'shared.bin': shared });
    await logVersion(name, { 'shared.bin': shared, 'own.bin': own });
    // Another artifact holding the same content keeps its own copy.
    await logVersion(`keeper-${driverName}`, { 'shared.bin': shared });
    const artifact = (await owner.api.get(`${projectPath}/artifacts/${name}`)).body;
    const keys = (await t.dataSource.query(`SELECT key FROM stored_objects WHERE artifact_id = $1`, [artifact.id])).map(
      (r: { key: string }) => r.key,
    );
    expect(keys).toHaveLength(2);
    const before = await usedBytes();

    await owner.api.delete(`${projectPath}/artifacts/${name}`);
    await t.app.get(StorageJanitor).runOnce();
    expect(await usedBytes()).toBe(before);
    for (const key of keys) expect(await driver.head(key)).not.toBeNull();

    await t.dataSource.query(`UPDATE artifacts SET purge_after = now() WHERE id = $1`, [artifact.id]);
    const pass = await t.app.get(StorageJanitor).runOnce();
    expect(pass.purged).toMatchObject({ artifacts: 1 });
    expect(await usedBytes()).toBe(before - shared.length - own.length);
    for (const key of keys) expect(await driver.head(key), key).toBeNull();
    expect(await t.dataSource.query(`SELECT id FROM artifact_versions WHERE artifact_id = $1`, [artifact.id])).toEqual([]);
    expect((await owner.api.get(`${versions(`keeper-${driverName}`)}/v1/files`)).body.files).toHaveLength(1);
    const audit = (await owner.api.get(`/orgs/${org}/audit-log?limit=50`)).body.items;
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'artifact.purged', targetId: artifact.id })]));

    // Purge now: at once, and a purged artifact cannot be restored.
    await logVersion(name, { 'c.bin': randomBytes(10) });
    const again = (await owner.api.get(`${projectPath}/artifacts/${name}`)).body;
    await owner.api.delete(`${projectPath}/artifacts/${name}`);
    expect((await contributor.api.delete(`${projectPath}/trash/artifact/${again.id}`)).status).toBe(403);
    expect((await maintainer.api.delete(`${projectPath}/trash/artifact/${again.id}`)).status).toBe(204);
    expect((await maintainer.api.post(`${projectPath}/trash/artifact/${again.id}/restore`)).status).toBe(404);
    expect(await t.dataSource.query(`SELECT id FROM artifacts WHERE id = $1`, [again.id])).toEqual([]);
  });

  it('project maintainers restore trashed runs and artifacts; contributors and viewers are refused; another project or org sees 404', async () => {
    const run = (await owner.api.post(runs(), {})).body;
    await owner.api.delete(`${runs()}/${run.key}`);
    const name = `roles-${driverName}`;
    await logVersion(name, { 'r.bin': randomBytes(20) });
    const artifact = (await owner.api.get(`${projectPath}/artifacts/${name}`)).body;
    await owner.api.delete(`${projectPath}/artifacts/${name}`);

    for (const who of [contributor, viewer]) {
      expect((await who.api.get(`${projectPath}/trash`)).status).toBe(403);
      expect((await who.api.post(`${projectPath}/trash/run/${run.id}/restore`)).status).toBe(403);
      expect((await who.api.post(`${projectPath}/trash/artifact/${artifact.id}/restore`)).status).toBe(403);
    }
    // A maintainer of another project of the organization cannot reach this trash through theirs.
    const other = (await createProject(owner, org)).slug;
    const otherMaintainer = await addOrgMember(owner, org, 'member', 'Other maintainer');
    await setProjectRole(owner, org, other, otherMaintainer.id, 'maintainer');
    expect((await otherMaintainer.api.get(`${projectPath}/trash`)).status).toBe(404);
    for (const [kind, id] of [
      ['run', run.id],
      ['artifact', artifact.id],
    ]) {
      expect((await otherMaintainer.api.post(`/orgs/${org}/projects/${other}/trash/${kind}/${id}/restore`)).status).toBe(404);
      expect((await otherMaintainer.api.delete(`/orgs/${org}/projects/${other}/trash/${kind}/${id}`)).status).toBe(404);
    }
    const stranger = await signup(t.url, 'Stranger');
    const theirs = (await createOrg(stranger)).slug;
    const theirProject = (await createProject(stranger, theirs)).slug;
    expect((await stranger.api.post(`${projectPath}/trash/artifact/${artifact.id}/restore`)).status).toBe(404);
    expect((await stranger.api.post(`/orgs/${theirs}/projects/${theirProject}/trash/artifact/${artifact.id}/restore`)).status).toBe(404);

    expect((await maintainer.api.post(`${projectPath}/trash/run/${run.id}/restore`)).status).toBe(204);
    expect((await maintainer.api.post(`${projectPath}/trash/artifact/${artifact.id}/restore`)).status).toBe(204);
    expect((await viewer.api.get(`${runs()}/${run.key}`)).status).toBe(200);
    expect((await viewer.api.get(`${versions(name)}/v1`)).status).toBe(200);
  });

  it('another organization cannot see, restore or purge this trash', async () => {
    const run = (await owner.api.post(runs(), {})).body;
    await owner.api.delete(`${runs()}/${run.key}`);
    const stranger = await signup(t.url, 'Stranger');
    const theirs = (await createOrg(stranger)).slug;
    const theirProject = (await createProject(stranger, theirs)).slug;
    expect((await stranger.api.get(`${projectPath}/trash`)).status).toBe(404);
    expect((await stranger.api.post(`${projectPath}/trash/run/${run.id}/restore`)).status).toBe(404);
    expect((await stranger.api.post(`/orgs/${theirs}/projects/${theirProject}/trash/run/${run.id}/restore`)).status).toBe(404);
    expect((await stranger.api.delete(`/orgs/${theirs}/projects/${theirProject}/trash/run/${run.id}`)).status).toBe(404);
    expect((await owner.api.get(`${projectPath}/trash`)).body.items.map((i: { id: string }) => i.id)).toContain(run.id);
  });

  it('a deleted project answers 404 everywhere until an admin restores it', async () => {
    const doomed = (await createProject(owner, org)).slug;
    const run = (await owner.api.post(`/orgs/${org}/projects/${doomed}/runs`, {})).body;
    expect((await owner.api.delete(`/orgs/${org}/projects/${doomed}`)).status).toBe(204);
    expect((await owner.api.get(`/orgs/${org}/projects/${doomed}`)).status).toBe(404);
    expect((await owner.api.get(`/orgs/${org}/projects/${doomed}/runs/${run.key}`)).status).toBe(404);
    expect((await owner.api.get(`/orgs/${org}/projects`)).body.map((p: { slug: string }) => p.slug)).not.toContain(doomed);

    expect((await maintainer.api.get(`/orgs/${org}/trash/projects`)).status).toBe(403);
    const trashed = (await owner.api.get(`/orgs/${org}/trash/projects`)).body.items;
    const item = trashed.find((i: { label: string }) => i.label === doomed);
    expect(item).toMatchObject({ kind: 'project' });
    expect((await owner.api.post(`/orgs/${org}/trash/projects/${item.id}/restore`)).status).toBe(204);
    expect((await owner.api.get(`/orgs/${org}/projects/${doomed}/runs/${run.key}`)).status).toBe(200);
  });
});
