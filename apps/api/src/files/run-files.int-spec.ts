import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startS3rver, type TestS3 } from '../../test/s3rver';
import { untar } from '../../test/tar';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll, sendUpload, sha256 } from '../../test/upload-client';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { StorageJanitor } from '../storage/storage-janitor.service';

const MiB = 1024 * 1024;

const texts = (entries: Map<string, Buffer>) => Object.fromEntries([...entries].map(([name, bytes]) => [name, bytes.toString()]));

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe.each(['local', 's3'] as const)('run files on the %s store', (driverName) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let owner: TestUser;
  let projectPath: string;
  let filesOf: (run: string) => string;
  let driver: StorageDriver;

  beforeAll(async () => {
    s3 = driverName === 's3' ? await startS3rver() : undefined;
    t = await startTestApp({ ...(s3?.env ?? {}), UPLOAD_PART_SIZE: String(16 * MiB) });
    driver = t.app.get(STORAGE_DRIVER);
    owner = await signup(t.url, 'Owner');
    const org = (await createOrg(owner)).slug;
    const project = (await createProject(owner, org)).slug;
    projectPath = `/orgs/${org}/projects/${project}`;
    filesOf = (run) => `${projectPath}/runs/${run}/files`;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  async function newRun(): Promise<string> {
    const response = await owner.api.post(`${projectPath}/runs`, {});
    expect(response.status).toBe(201);
    return response.body.key;
  }

  it('uploads a tree, lists it as directories, downloads and previews files', async () => {
    expect(driver.name).toBe(driverName);
    const run = await newRun();
    const contents: Record<string, Buffer> = {
      'metrics.json': Buffer.from('{"acc":0.9,"loss":0.1}'),
      'data/predictions.csv': Buffer.from('id,label\n1,"cat, black"\n2,dog\n'),
      'data/deep/notes.txt': Buffer.from('hello'),
      'plots/loss.png': randomBytes(300),
    };
    const declared = await owner.api.post(filesOf(run), { files: Object.entries(contents).map(([path, c]) => declaration(path, c)) });
    expect(declared.status).toBe(200);
    expect(declared.body.files.every((f: { upload?: unknown }) => f.upload)).toBe(true);
    await sendAll(owner.api, projectPath, declared.body, contents);

    const root = await owner.api.get(filesOf(run));
    expect(root.body.entries.map((e: { name: string; type: string }) => `${e.type}:${e.name}`)).toEqual([
      'dir:data',
      'dir:plots',
      'file:metrics.json',
    ]);
    expect(root.body.entries[0]).toMatchObject({ path: 'data/', size: contents['data/predictions.csv']!.length + 5, fileCount: 2 });
    const data = await owner.api.get(`${filesOf(run)}?prefix=data`);
    expect(data.body.entries.map((e: { path: string }) => e.path)).toEqual(['data/deep/', 'data/predictions.csv']);

    const url = await owner.api.get(`${filesOf(run)}/url?path=${encodeURIComponent('plots/loss.png')}`);
    expect(url.status).toBe(200);
    expect(sha256(await download(url.body.url))).toBe(sha256(contents['plots/loss.png']!));

    const csv = await owner.api.get(`${filesOf(run)}/preview?path=data/predictions.csv`);
    expect(csv.body).toMatchObject({
      kind: 'csv',
      rows: [
        ['id', 'label'],
        ['1', 'cat, black'],
        ['2', 'dog'],
      ],
      truncated: false,
    });
    const json = await owner.api.get(`${filesOf(run)}/preview?path=metrics.json`);
    expect(json.body).toMatchObject({ kind: 'json', text: '{\n  "acc": 0.9,\n  "loss": 0.1\n}' });
    const image = await owner.api.get(`${filesOf(run)}/preview?path=plots/loss.png`);
    expect(image.body.kind).toBe('image');
    expect((await download(image.body.url)).length).toBe(300);

    const archive = await owner.api.post(`${filesOf(run)}/archive`, { prefix: 'data' });
    expect(archive.status).toBe(200);
    expect(texts(await untar(await download(archive.body.url)))).toEqual({
      'deep/notes.txt': 'hello',
      'predictions.csv': contents['data/predictions.csv']!.toString(),
    });
  });

  it('a retried declaration sends nothing twice, and the same bytes at another path are not stored again', async () => {
    const run = await newRun();
    const content = randomBytes(1000);
    const first = await owner.api.post(filesOf(run), { files: [declaration('a.bin', content)] });
    await sendAll(owner.api, projectPath, first.body, { 'a.bin': content });
    const again = await owner.api.post(filesOf(run), { files: [declaration('a.bin', content), declaration('copy/a.bin', content)] });
    expect(again.status).toBe(200);
    expect(again.body.files.map((f: { upload?: unknown; file: { state: string } }) => [f.file.state, Boolean(f.upload)])).toEqual([
      ['available', false],
      ['available', false],
    ]);
  });

  it('new content for a path keeps the old one readable until its upload completes', async () => {
    const run = await newRun();
    const before = Buffer.from('version one');
    const after = Buffer.from('version two, longer');
    await sendAll(owner.api, projectPath, (await owner.api.post(filesOf(run), { files: [declaration('model.txt', before)] })).body, {
      'model.txt': before,
    });
    const replacing = await owner.api.post(filesOf(run), { files: [declaration('model.txt', after)] });
    expect(replacing.body.files[0].upload).toBeDefined();
    const read = async () => (await download((await owner.api.get(`${filesOf(run)}/url?path=model.txt`)).body.url)).toString();
    expect(await read()).toBe('version one');
    expect((await owner.api.get(filesOf(run))).body.entries[0]).toMatchObject({
      name: 'model.txt',
      state: 'available',
      size: before.length,
    });

    await sendAll(owner.api, projectPath, replacing.body, { 'model.txt': after });
    expect(await read()).toBe('version two, longer');
    const stored = await t.dataSource.query(`SELECT sha256 FROM stored_objects WHERE sha256 = ANY($1)`, [[sha256(before), sha256(after)]]);
    expect(stored).toEqual([{ sha256: sha256(after) }]);
  });

  it('a 200 MB file goes up in parts, survives an interruption and a corrupted part, and downloads intact', async () => {
    const run = await newRun();
    const content = randomBytes(200 * MiB);
    const file = declaration('checkpoints/model.pt', content);
    const declared = await owner.api.post(filesOf(run), { files: [file] });
    const plan = declared.body.files[0].upload;
    expect(plan).toMatchObject({ method: 'multipart', partCount: 13, completedParts: [] });

    // The process dies after three parts.
    expect(await sendUpload(owner.api, projectPath, plan, content, { stopAfterParts: 3 })).toBeNull();
    const resumed = await owner.api.post(filesOf(run), { files: [file] });
    expect(resumed.body.files[0].upload).toMatchObject({ uploadId: plan.uploadId, completedParts: [1, 2, 3] });

    // Part 5 is flipped in transit: the report is refused and the part is not counted.
    const corrupted = await sendUpload(owner.api, projectPath, resumed.body.files[0].upload, content, {
      tamper: (n, bytes) => (n === 5 ? Buffer.concat([Buffer.from([bytes[0]! ^ 0xff]), bytes.subarray(1)]) : bytes),
    });
    expect(corrupted?.status).toBe(400);
    expect(corrupted?.body.error.code).toBe('part_checksum_mismatch');
    const status = await owner.api.get(`${projectPath}/uploads/${plan.uploadId}`);
    expect(status.body).toMatchObject({ state: 'pending', completedParts: [1, 2, 3, 4] });

    const early = await owner.api.post(`${projectPath}/uploads/${plan.uploadId}/complete`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('upload_incomplete');

    const finished = await sendUpload(owner.api, projectPath, { ...plan, completedParts: status.body.completedParts }, content);
    expect(finished?.status).toBe(200);
    expect(finished?.body.state).toBe('available');
    const url = await owner.api.get(`${filesOf(run)}/url?path=checkpoints/model.pt`);
    expect(sha256(await download(url.body.url))).toBe(file.sha256);
  }, 180_000);

  it('bytes that do not match the declared SHA-256 are refused, and the file can be sent again', async () => {
    const run = await newRun();
    const content = randomBytes(5000);
    const declared = await owner.api.post(filesOf(run), { files: [declaration('x.bin', content)] });
    const plan = declared.body.files[0].upload;
    const tooEarly = await owner.api.post(`${projectPath}/uploads/${plan.uploadId}/complete`);
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.error.code).toBe('upload_incomplete');
    const bad = await sendUpload(owner.api, projectPath, plan, content, {
      tamper: (_, b) => Buffer.concat([b.subarray(0, 10), randomBytes(b.length - 10)]),
    });
    expect(bad?.status).toBe(400);
    expect(bad?.body.error.code).toBe('checksum_mismatch');
    const listing = await owner.api.get(filesOf(run));
    expect(listing.body.entries[0]).toMatchObject({ name: 'x.bin', state: 'pending' });
    expect((await owner.api.get(`${filesOf(run)}/url?path=x.bin`)).status).toBe(404);
    const retry = await owner.api.post(filesOf(run), { files: [declaration('x.bin', content)] });
    const good = await sendUpload(owner.api, projectPath, retry.body.files[0].upload, content);
    expect(good?.status).toBe(200);
  });

  it('completes many small uploads in one request, answering each on its own', async () => {
    const run = await newRun();
    const contents = Object.fromEntries(['a', 'b', 'c', 'd'].map((name) => [`${name}.txt`, randomBytes(64)]));
    const declared = await owner.api.post(filesOf(run), { files: Object.entries(contents).map(([path, c]) => declaration(path, c)) });
    const plans = Object.fromEntries(
      declared.body.files.map(
        (f: { file: { path: string }; upload: { uploadId: string; url: string; headers: Record<string, string> } }) => [
          f.file.path,
          f.upload,
        ],
      ),
    );
    const put = (path: string, body: Buffer) =>
      fetch(plans[path].url, { method: 'PUT', headers: plans[path].headers, body: new Uint8Array(body) });
    expect((await put('a.txt', contents['a.txt']!)).status).toBe(200);
    expect((await put('b.txt', contents['b.txt']!)).status).toBe(200);
    expect((await put('c.txt', randomBytes(64))).status).toBe(200); // other bytes than declared
    // d.txt is never sent; the last id names no upload of this project.
    const ids = ['a.txt', 'b.txt', 'c.txt', 'd.txt'].map((p) => plans[p].uploadId);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const batch = await owner.api.post(`${projectPath}/uploads/complete`, { uploads: [...ids, unknown] });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { state: string; error?: { code: string } }) => [r.state, r.error?.code])).toEqual([
      ['available', undefined],
      ['available', undefined],
      ['pending', 'checksum_mismatch'],
      ['pending', 'upload_incomplete'],
      ['pending', 'not_found'],
    ]);
    const names = (await owner.api.get(filesOf(run))).body.entries.map((e: { name: string; state: string }) => `${e.name}:${e.state}`);
    expect(names).toEqual(['a.txt:available', 'b.txt:available', 'c.txt:pending', 'd.txt:pending']);
    // The corrupted one was reset and can be sent again.
    const retry = await owner.api.post(filesOf(run), { files: [declaration('c.txt', contents['c.txt']!)] });
    expect((await sendUpload(owner.api, projectPath, retry.body.files[0].upload, contents['c.txt']!))?.status).toBe(200);
  });

  it('refuses paths that would escape the run, and stores nothing for them', async () => {
    const run = await newRun();
    const content = Buffer.from('x');
    for (const path of ['../other-run/file', 'a/../../b', '/etc/passwd', 'a\\b', 'bad\u0001name', 'C:/x']) {
      const response = await owner.api.post(filesOf(run), { files: [declaration(path, content)] });
      expect(response.status, path).toBe(400);
      expect(response.body.error.code, path).toBe('invalid_path');
    }
    // NUL never gets as far as the path rules: no text may hold it.
    const nul = await owner.api.post(filesOf(run), { files: [declaration('bad\u0000name', content)] });
    expect([nul.status, nul.body.error.code]).toEqual([400, 'invalid_text']);
    expect((await owner.api.get(filesOf(run))).body.entries).toEqual([]);
    expect((await owner.api.get(`${filesOf(run)}/url?path=..%2F..%2Fx`)).body.error.code).toBe('invalid_path');
  });

  it("another organization's files, uploads and runs answer 404", async () => {
    const run = await newRun();
    const content = Buffer.from('secret');
    const declared = await owner.api.post(filesOf(run), { files: [declaration('secret.txt', content)] });
    const uploadId = declared.body.files[0].upload.uploadId;
    const stranger = await signup(t.url, 'Stranger');
    const strangerProject = `/orgs/${(await createOrg(stranger)).slug}/projects/${(await createProject(stranger, (await stranger.api.get('/orgs')).body[0].slug)).slug}`;
    for (const path of [filesOf(run), `${filesOf(run)}/url?path=secret.txt`, `${projectPath}/uploads/${uploadId}`]) {
      expect((await stranger.api.get(path)).status, path).toBe(404);
    }
    // Their own project with our upload id: not found either.
    expect((await stranger.api.get(`${strangerProject}/uploads/${uploadId}`)).status).toBe(404);
    expect((await stranger.api.post(`${strangerProject}/uploads/${uploadId}/complete`)).status).toBe(404);
  });

  it('enforces the organization quota and reports usage', async () => {
    const quotaOwner = await signup(t.url, 'Quota owner');
    const org = (await createOrg(quotaOwner)).slug;
    const project = (await createProject(quotaOwner, org)).slug;
    const path = `/orgs/${org}/projects/${project}`;
    const run = (await quotaOwner.api.post(`${path}/runs`, {})).body.key;
    expect((await quotaOwner.api.put(`/orgs/${org}/storage`, { quotaBytes: 10_000 })).body).toEqual({ usedBytes: 0, quotaBytes: 10_000 });
    const small = randomBytes(6_000);
    const ok = await quotaOwner.api.post(`${path}/runs/${run}/files`, { files: [declaration('a.bin', small)] });
    expect(ok.status).toBe(200);
    const over = await quotaOwner.api.post(`${path}/runs/${run}/files`, { files: [declaration('b.bin', randomBytes(6_000))] });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('storage_quota_exceeded');
    // The same content again costs nothing.
    expect((await quotaOwner.api.post(`${path}/runs/${run}/files`, { files: [declaration('again.bin', small)] })).status).toBe(200);
    expect((await quotaOwner.api.get(`/orgs/${org}/storage`)).body).toEqual({ usedBytes: 6_000, quotaBytes: 10_000 });
  });

  it('a deleted run keeps its objects while in the trash; purging it removes them from the store in the background', async () => {
    const run = await newRun();
    const runId = (await owner.api.get(`${projectPath}/runs/${run}`)).body.id;
    const content = randomBytes(2_000);
    const declared = await owner.api.post(filesOf(run), { files: [declaration('gone.bin', content)] });
    await sendAll(owner.api, projectPath, declared.body, { 'gone.bin': content });
    const [row] = await t.dataSource.query(`SELECT key FROM stored_objects WHERE sha256 = $1`, [sha256(content)]);
    expect(await driver.head(row.key)).toMatchObject({ size: 2_000 });
    expect((await owner.api.delete(`${projectPath}/runs/${run}`)).status).toBe(204);
    await t.app.get(StorageJanitor).runOnce();
    expect(await driver.head(row.key)).not.toBeNull();
    expect((await owner.api.delete(`${projectPath}/trash/run/${runId}`)).status).toBe(204);
    expect(await driver.head(row.key)).not.toBeNull();
    const pass = await t.app.get(StorageJanitor).runOnce();
    expect(pass.deletedObjects).toBeGreaterThanOrEqual(1);
    expect(await driver.head(row.key)).toBeNull();
  });

  it('purging a deleted project, or deleting an organization, removes every object under it', async () => {
    const member = await signup(t.url, 'Leaver');
    const org = (await createOrg(member)).slug;
    const keys: string[] = [];
    const projects: string[] = [];
    for (let i = 0; i < 2; i++) {
      const project = (await createProject(member, org)).slug;
      projects.push(project);
      const path = `/orgs/${org}/projects/${project}`;
      const run = (await member.api.post(`${path}/runs`, {})).body.key;
      const runFile = randomBytes(100);
      await sendAll(
        member.api,
        path,
        (await member.api.post(`${path}/runs/${run}/files`, { files: [declaration('f.bin', runFile)] })).body,
        { 'f.bin': runFile },
      );
      const artifactFile = randomBytes(101);
      const version = await member.api.post(`${path}/artifacts/data/versions`, {
        kind: 'dataset',
        files: [declaration('d.bin', artifactFile)],
      });
      await sendAll(member.api, path, version.body, { 'd.bin': artifactFile });
      expect((await member.api.post(`${path}/artifacts/data/versions/${version.body.version.id}/commit`)).status).toBe(200);
      for (const content of [runFile, artifactFile]) {
        const [row] = await t.dataSource.query(`SELECT key FROM stored_objects WHERE sha256 = $1`, [sha256(content)]);
        keys.push(row.key);
      }
    }
    const present = async () => (await Promise.all(keys.map((k) => driver.head(k)))).map((h) => h !== null);
    expect(await present()).toEqual([true, true, true, true]);

    const projectId = (await member.api.get(`/orgs/${org}/projects/${projects[0]}`)).body.id;
    expect((await member.api.delete(`/orgs/${org}/projects/${projects[0]}`)).status).toBe(204);
    await t.app.get(StorageJanitor).runOnce();
    // In the trash nothing leaves the store.
    expect(await present()).toEqual([true, true, true, true]);
    expect((await member.api.delete(`/orgs/${org}/trash/projects/${projectId}`)).status).toBe(204);
    await t.app.get(StorageJanitor).runOnce();
    expect(await present()).toEqual([false, false, true, true]);

    expect((await member.api.delete(`/orgs/${org}`)).status).toBe(204);
    await t.app.get(StorageJanitor).runOnce();
    expect(await present()).toEqual([false, false, false, false]);
  });
});
