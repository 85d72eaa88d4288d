import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrgMember, createOrg, createProject, setProjectRole, signup, type TestUser } from '../../test/api-client';
import { startS3rver, type TestS3 } from '../../test/s3rver';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll, sha256 } from '../../test/upload-client';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { StorageJanitor } from '../storage/storage-janitor.service';

describe.each(['local', 's3'] as const)('versioned artifacts on the %s store', (driverName) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let owner: TestUser;
  let contributor: TestUser;
  let viewer: TestUser;
  let org: string;
  let projectPath: string;
  let driver: StorageDriver;

  beforeAll(async () => {
    s3 = driverName === 's3' ? await startS3rver() : undefined;
    t = await startTestApp(s3?.env ?? {});
    driver = t.app.get(STORAGE_DRIVER);
    owner = await signup(t.url, 'Owner');
    org = (await createOrg(owner)).slug;
    const project = (await createProject(owner, org)).slug;
    projectPath = `/orgs/${org}/projects/${project}`;
    contributor = await addOrgMember(owner, org, 'member', 'Contributor');
    viewer = await addOrgMember(owner, org, 'member', 'Viewer');
    await setProjectRole(owner, org, project, contributor.id, 'contributor');
    await setProjectRole(owner, org, project, viewer.id, 'viewer');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const versions = (name: string) => `${projectPath}/artifacts/${name}/versions`;

  /** Declares, uploads what is asked for and commits: what `run.logArtifact` does. */
  async function logVersion(user: TestUser, name: string, files: Record<string, Buffer>, extra: Record<string, unknown> = {}) {
    const declared = await user.api.post(versions(name), {
      kind: 'dataset',
      files: Object.entries(files).map(([p, c]) => declaration(p, c)),
      ...extra,
    });
    if (declared.status >= 300) return declared;
    if (declared.body.version.state === 'committed') return declared;
    await sendAll(user.api, projectPath, declared.body, files);
    return user.api.post(`${versions(name)}/${declared.body.version.id}/commit`);
  }

  it('numbers versions, moves latest, and never makes a second version of identical content', async () => {
    const train = randomBytes(3000);
    const first = await logVersion(contributor, 'mnist', { 'train.bin': train, 'labels.csv': Buffer.from('a,b\n1,2\n') });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 'v1', state: 'committed', aliases: ['latest'], fileCount: 2 });

    // Same files in another order: no new version, nothing to upload.
    const again = await contributor.api.post(versions('mnist'), {
      kind: 'dataset',
      files: [declaration('labels.csv', Buffer.from('a,b\n1,2\n')), declaration('train.bin', train)],
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, uploads: [], version: { version: 'v1' } });

    // One file changed: v2, and only the new content needs sending.
    const declared = await contributor.api.post(versions('mnist'), {
      kind: 'dataset',
      files: [declaration('train.bin', train), declaration('labels.csv', Buffer.from('a,b\n1,3\n'))],
    });
    expect(declared.status).toBe(201);
    expect(declared.body.uploads.filter((u: { upload?: unknown }) => u.upload).map((u: { file: { path: string } }) => u.file.path)).toEqual(
      ['labels.csv'],
    );
    await sendAll(contributor.api, projectPath, declared.body, { 'labels.csv': Buffer.from('a,b\n1,3\n') });
    const second = await contributor.api.post(`${versions('mnist')}/${declared.body.version.id}/commit`);
    expect(second.body).toMatchObject({ version: 'v2', aliases: ['latest'] });

    const detail = await viewer.api.get(`${projectPath}/artifacts/mnist`);
    expect(detail.body).toMatchObject({ kind: 'dataset', versionCount: 2, latest: 'v2', aliases: { latest: 'v2' } });
    expect(detail.body.versions.map((v: { version: string }) => v.version)).toEqual(['v2', 'v1']);
    expect((await viewer.api.get(`${versions('mnist')}/latest`)).body.version).toBe('v2');
    expect((await viewer.api.get(`${versions('mnist')}/v1`)).body.digest).toBe(first.body.digest);
  });

  it('viewers download, contributors log, maintainers move aliases', async () => {
    const model = randomBytes(500);
    const logged = await logVersion(contributor, 'resnet', { 'model.pt': model }, { kind: 'model', aliases: ['candidate'] });
    expect(logged.body.aliases).toEqual(['candidate', 'latest']);

    const url = await viewer.api.get(`${versions('resnet')}/candidate/files/url?path=model.pt`);
    expect(url.status).toBe(200);
    expect(sha256(Buffer.from(await (await fetch(url.body.url)).arrayBuffer()))).toBe(sha256(model));
    const files = await viewer.api.get(`${versions('resnet')}/v1/files`);
    expect(files.body.files).toMatchObject([{ path: 'model.pt', size: 500, sha256: sha256(model), state: 'available' }]);

    expect((await viewer.api.post(versions('resnet'), { kind: 'model', files: [declaration('x', Buffer.from('x'))] })).status).toBe(403);
    expect((await contributor.api.put(`${projectPath}/artifacts/resnet/aliases/production`, { version: 'v1' })).status).toBe(403);
    const promoted = await owner.api.put(`${projectPath}/artifacts/resnet/aliases/production`, { version: 'v1' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.aliases).toEqual(['candidate', 'latest', 'production']);

    // Logging v2 with an alias that points at v1 would move it: only a maintainer may.
    const stolen = await contributor.api.post(versions('resnet'), {
      kind: 'model',
      files: [declaration('model.pt', randomBytes(10))],
      aliases: ['production'],
    });
    expect(stolen.status).toBe(403);
    const v2 = await logVersion(owner, 'resnet', { 'model.pt': randomBytes(20) }, { kind: 'model', aliases: ['production'] });
    expect(v2.body).toMatchObject({ version: 'v2', aliases: ['latest', 'production'] });
    expect((await viewer.api.get(`${versions('resnet')}/production`)).body.version).toBe('v2');

    expect((await owner.api.put(`${projectPath}/artifacts/resnet/aliases/latest`, { version: 'v1' })).body.error.code).toBe(
      'artifact_alias_reserved',
    );
    const audit = await owner.api.get(`/orgs/${org}/audit-log`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'artifact.alias_set', details: { name: 'resnet', alias: 'production', version: 'v1' } }),
    );
    expect((await owner.api.put(`${projectPath}/artifacts/resnet/aliases/v9`, { version: 'v1' })).status).toBe(400);
  });

  it('a version of more than 1,000 files is declared in parts and recognised as identical content when committed', async () => {
    const contents = [Buffer.from('a'), Buffer.from('bb'), Buffer.from('ccc')];
    const files = Array.from({ length: 1_500 }, (_, i) => declaration(`shards/${String(i).padStart(5, '0')}.txt`, contents[i % 3]!));
    const logPartial = async (chunks: Array<typeof files>) => {
      const first = await contributor.api.post(versions('shards'), { kind: 'dataset', files: chunks[0], partial: true });
      expect(first.status).toBe(201);
      expect(first.body.version.state).toBe('draft');
      const uploads = [...first.body.uploads];
      for (const chunk of chunks.slice(1)) {
        const more = await contributor.api.post(`${versions('shards')}/${first.body.version.id}/files`, { files: chunk });
        expect(more.status).toBe(200);
        uploads.push(...more.body.files);
      }
      // Same content at many paths is one object: only three uploads for 1,500 files.
      const pending = new Map(
        uploads
          .filter((u: { upload?: { uploadId: string } }) => u.upload)
          .map((u: { upload: { uploadId: string } }) => [u.upload.uploadId, u]),
      );
      const byPath = Object.fromEntries(files.map((f, i) => [f.path, contents[i % 3]!]));
      await sendAll(contributor.api, projectPath, { uploads: [...pending.values()] as never }, byPath);
      return contributor.api.post(`${versions('shards')}/${first.body.version.id}/commit`);
    };
    const v1 = await logPartial([files.slice(0, 1_000), files.slice(1_000)]);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ version: 'v1', fileCount: 1_500 });
    // The same files declared in another order and other chunks: the draft gives way to v1.
    const reversed = [...files].reverse();
    const again = await logPartial([reversed.slice(0, 700), reversed.slice(700)]);
    expect(again.body).toMatchObject({ id: v1.body.id, version: 'v1' });
    // The server's digest of a sealed manifest is the one computed for a single declaration.
    const small = { 'a.txt': Buffer.from('a') };
    const whole = await logVersion(contributor, 'sealed', small);
    const partial = await contributor.api.post(versions('sealed'), {
      kind: 'dataset',
      files: [declaration('a.txt', small['a.txt'])],
      partial: true,
    });
    const committed = await contributor.api.post(`${versions('sealed')}/${partial.body.version.id}/commit`);
    expect(committed.body).toMatchObject({ id: whole.body.id, digest: whole.body.digest, version: 'v1' });
    expect((await viewer.api.get(`${projectPath}/artifacts/sealed`)).body.versionCount).toBe(1);
  });

  it('a version can reference data outside Trackbase, deduplicated by URI and digest', async () => {
    const reference = { uri: 's3://datalake/imagenet/2024-01', digest: 'etag-3f2a', size: 150_000_000_000 };
    const first = await contributor.api.post(versions('imagenet'), {
      kind: 'dataset',
      reference,
      metadata: { statistics: { rows: 1_281_167 } },
    });
    expect(first.status).toBe(201);
    expect(first.body.version).toMatchObject({
      version: 'v1',
      state: 'committed',
      reference,
      metadata: { statistics: { rows: 1_281_167 } },
      fileCount: 0,
    });
    const same = await contributor.api.post(versions('imagenet'), { kind: 'dataset', reference });
    expect(same.body).toMatchObject({ created: false, version: { version: 'v1' } });
    const bad = await contributor.api.post(versions('imagenet'), {
      kind: 'dataset',
      reference,
      files: [declaration('a', Buffer.from('a'))],
    });
    expect(bad.status).toBe(400);
  });

  it('links producer and consumer runs into the lineage graph', async () => {
    const producer = (await contributor.api.post(`${projectPath}/runs`, {})).body;
    const consumer = (await contributor.api.post(`${projectPath}/runs`, {})).body;
    const logged = await logVersion(contributor, 'features', { 'f.parquet': randomBytes(100) }, { run: producer.key });
    expect(logged.body.producer).toMatchObject({ id: producer.id, key: producer.key });
    const used = await contributor.api.post(`${versions('features')}/v1/use`, { run: consumer.key });
    expect(used.status).toBe(200);
    expect(used.body.consumers).toMatchObject([{ id: consumer.id }]);
    expect((await viewer.api.post(`${versions('features')}/v1/use`, { run: consumer.key })).status).toBe(403);

    const graph = await viewer.api.get(`${projectPath}/lineage?run=${consumer.key}&direction=upstream&depth=4`);
    expect(graph.status).toBe(200);
    const nodes = graph.body.nodes.map((n: { id: string }) => n.id);
    expect(nodes).toContain(`run:${producer.id}`);
    expect(nodes).toContain(`artifact:${logged.body.id}`);
    expect(graph.body.edges).toContainEqual({ from: `run:${producer.id}`, to: `artifact:${logged.body.id}`, kind: 'output' });
  });

  it('refuses a kind that differs from the artifact and a commit before the files arrived', async () => {
    await logVersion(contributor, 'kinds', { a: Buffer.from('a') });
    const wrongKind = await contributor.api.post(versions('kinds'), { kind: 'model', files: [declaration('b', Buffer.from('b'))] });
    expect(wrongKind.status).toBe(409);
    expect(wrongKind.body.error.code).toBe('artifact_kind_mismatch');
    const draft = await contributor.api.post(versions('kinds'), { kind: 'dataset', files: [declaration('c', randomBytes(50))] });
    const early = await contributor.api.post(`${versions('kinds')}/${draft.body.version.id}/commit`);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'upload_incomplete', details: [{ path: 'c' }] });
  });

  it('deleting a version trashes it; purging it removes the content only it held; latest falls back; a whole artifact is trashed too', async () => {
    const shared = randomBytes(64);
    const only = randomBytes(65);
    await logVersion(contributor, 'ckpt', { 'shared.bin': shared });
    await logVersion(contributor, 'ckpt', { 'shared.bin': shared, 'only.bin': only });
    const keys = async () =>
      (await t.dataSource.query(`SELECT sha256, key FROM stored_objects WHERE sha256 = ANY($1)`, [
        [sha256(shared), sha256(only)],
      ])) as Array<{ sha256: string; key: string }>;
    const before = await keys();
    expect(before).toHaveLength(2);
    expect((await contributor.api.delete(`${versions('ckpt')}/v2`)).status).toBe(403);
    const v2 = (await viewer.api.get(`${versions('ckpt')}/v2`)).body;
    expect((await owner.api.delete(`${versions('ckpt')}/v2`)).status).toBe(204);
    expect((await viewer.api.get(`${versions('ckpt')}/latest`)).body.version).toBe('v1');
    // In the trash its content stays until it is purged.
    expect(await keys()).toHaveLength(2);
    expect((await owner.api.delete(`${projectPath}/trash/artifact_version/${v2.id}`)).status).toBe(204);
    const after = await keys();
    expect(after.map((k) => k.sha256)).toEqual([sha256(shared)]);
    await t.app.get(StorageJanitor).runOnce();
    const onlyKey = before.find((k) => k.sha256 === sha256(only))!.key;
    expect(await driver.head(onlyKey)).toBeNull();
    expect(await driver.head(after[0]!.key)).not.toBeNull();

    expect((await contributor.api.delete(`${projectPath}/artifacts/ckpt`)).status).toBe(403);
    const artifactId = (await viewer.api.get(`${projectPath}/artifacts/ckpt`)).body.id;
    expect((await owner.api.delete(`${projectPath}/artifacts/ckpt`)).status).toBe(204);
    expect((await viewer.api.get(`${projectPath}/artifacts/ckpt`)).status).toBe(404);
    // The whole artifact went to the trash: its content stays until it is purged.
    await t.app.get(StorageJanitor).runOnce();
    expect(await driver.head(after[0]!.key)).not.toBeNull();
    expect((await owner.api.delete(`${projectPath}/trash/artifact/${artifactId}`)).status).toBe(204);
    await t.app.get(StorageJanitor).runOnce();
    expect(await driver.head(after[0]!.key)).toBeNull();
  });

  it("another organization cannot see or reach this project's artifacts", async () => {
    await logVersion(contributor, 'private-data', { 'x.csv': Buffer.from('x\n1\n') });
    const stranger = await signup(t.url, 'Stranger');
    for (const path of [`${projectPath}/artifacts`, `${projectPath}/artifacts/private-data`, `${versions('private-data')}/v1/files`]) {
      expect((await stranger.api.get(path)).status, path).toBe(404);
    }
    const theirOrg = (await createOrg(stranger)).slug;
    const theirProject = (await createProject(stranger, theirOrg)).slug;
    expect((await stranger.api.get(`/orgs/${theirOrg}/projects/${theirProject}/artifacts/private-data`)).status).toBe(404);
  });
});
