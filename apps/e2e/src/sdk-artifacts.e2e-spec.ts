import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { startS3rver, type TestS3 } from '@trackbase/api/test/s3rver';
import { downloadArtifact, init, TrackbaseApi, TrackbaseOfflineError, useArtifact } from '@trackbase/sdk';
import { sendFirstPart, setupProject, tempDir } from './sdk-helpers';

// Files and artifacts through the SDK and CLI against the real API, which stores them on its local disk.
const CLI = resolve(__dirname, '../../../libs/sdk/dist/cli.js');
const PART_SIZE = 5 * 1024 * 1024;
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;
let api: TrackbaseApi;

beforeAll(async () => {
  // A small part size so a 12 MB file travels in three parts.
  server = await ServerProcess.start({ UPLOAD_PART_SIZE: String(PART_SIZE), TRACKBASE_DATA_DIR: tempDir('tb-e2e-data-') });
  p = await setupProject(server.url);
  api = new TrackbaseApi({ baseUrl: server.url, apiKey: p.key });
}, 120_000);
afterAll(() => server.stop());

const quiet = () => undefined;
const common = () => ({
  url: server.url,
  apiKey: p.key,
  project: p.ref,
  systemMetricsIntervalMs: 0,
  exitHandlers: false,
  context: false as const,
  log: quiet,
  dir: tempDir('tb-journal-'),
});
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, TRACKBASE_URL: server.url, TRACKBASE_API_KEY: p.key, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

function writeTree(root: string, files: Record<string, string | Buffer>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('run files', () => {
  it('a directory uploaded to a run lists as a tree, through the SDK and the CLI', async () => {
    const run = await init({ ...common(), name: 'upload-dir' });
    const dir = writeTree(tempDir('tb-tree-'), {
      'a.txt': 'alpha',
      'sub/b.csv': 'x,y\n1,2\n',
      'sub/deeper/c.json': '{"c":1}',
      'empty.txt': '',
      'naïve name.txt': 'ü',
    });
    const stored = await run.uploadDir(dir, 'outputs');
    expect(stored!.map((f) => [f.path, f.state]).sort()).toEqual([
      ['outputs/a.txt', 'available'],
      ['outputs/empty.txt', 'available'],
      ['outputs/naïve name.txt', 'available'],
      ['outputs/sub/b.csv', 'available'],
      ['outputs/sub/deeper/c.json', 'available'],
    ]);
    const root = await api.listRunFiles(p.org, p.project, run.key!);
    expect(root.entries).toMatchObject([{ name: 'outputs', type: 'dir', fileCount: 5 }]);

    const listed = await cli(['files', 'list', p.ref, run.key!, 'outputs', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).entries.map((e: { name: string; type: string }) => `${e.type}:${e.name}`)).toEqual([
      'dir:sub',
      'file:a.txt',
      'file:empty.txt',
      'file:naïve name.txt',
    ]);
    const out = tempDir('tb-tree-out-');
    expect((await cli(['files', 'download', p.ref, run.key!, 'outputs', '--dir', out])).code).toBe(0);
    for (const path of ['a.txt', 'empty.txt', 'naïve name.txt', 'sub/deeper/c.json'])
      expect(readFileSync(join(out, path))).toEqual(readFileSync(join(dir, path)));

    const uploaded = await cli(['files', 'upload', p.ref, run.key!, join(dir, 'a.txt'), join(dir, 'sub'), '--prefix', 'cli', '--json']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(
      JSON.parse(uploaded.stdout)
        .files.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['cli/a.txt', 'cli/b.csv', 'cli/deeper/c.json']);
    expect((await cli(['files', 'list', p.ref, run.key!, 'nope'])).code).toBe(4);
    await run.finish();
  });

  it('a file larger than the part size resumes an interrupted multipart upload and downloads intact', async () => {
    const run = await init({ ...common(), name: 'big-file' });
    const content = randomBytes(12 * 1024 * 1024 + 12_345);
    const local = join(tempDir('tb-big-'), 'weights.bin');
    writeFileSync(local, content);

    // An earlier process declared the file and sent its first part before it died.
    const declared = await api.declareRunFiles(p.org, p.project, run.key!, [
      { path: 'model/weights.bin', size: content.length, sha256: sha256(content) },
    ]);
    const plan = declared.files[0]!.upload!;
    expect(plan).toMatchObject({ method: 'multipart', partCount: 3, partSize: PART_SIZE, completedParts: [] });
    await sendFirstPart(server.url, p.key, p.org, p.project, plan, content);

    const progress: number[] = [];
    const stored = await run.uploadFile(local, 'model/weights.bin', { onProgress: (sent) => progress.push(sent) });
    expect(stored).toMatchObject({ path: 'model/weights.bin', size: content.length, state: 'available' });
    // The stored first part counts at once; only parts 2 and 3 stream from disk.
    expect(progress[0]).toBe(PART_SIZE);
    expect(progress.at(-1)).toBe(content.length);

    const out = tempDir('tb-download-');
    const downloaded = await cli(['files', 'download', p.ref, run.key!, 'model/weights.bin', '--dir', out, '--json']);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(sha256(readFileSync(join(out, 'weights.bin')))).toBe(sha256(content));
    const everything = await cli(['files', 'download', p.ref, run.key!, '--dir', out, '--json']);
    expect(JSON.parse(everything.stdout).files).toMatchObject([{ path: 'model/weights.bin', downloaded: true }]);
    expect(sha256(readFileSync(join(out, 'model', 'weights.bin')))).toBe(sha256(content));
    const again = await cli(['files', 'download', p.ref, run.key!, 'model', '--dir', out, '--json']);
    expect(JSON.parse(again.stdout).files).toMatchObject([{ path: 'model/weights.bin', downloaded: false }]);
    await run.finish();
  });

  it('offline runs refuse uploads with a clear error; disabled runs ignore them', async () => {
    const file = writeTree(tempDir('tb-off-'), { 'x.txt': 'x' });
    const offline = await init({ ...common(), mode: 'offline' });
    await expect(offline.uploadFile(join(file, 'x.txt'))).rejects.toBeInstanceOf(TrackbaseOfflineError);
    await expect(offline.logArtifact('offline-data', 'dataset', file)).rejects.toThrow(/needs a connection/);
    await offline.finish();
    const disabled = await init({ ...common(), mode: 'disabled' });
    expect(await disabled.uploadFile(join(file, 'x.txt'))).toBeUndefined();
    expect(await disabled.logArtifact('disabled-data', 'dataset', file)).toBeUndefined();
  });
});

describe('artifacts', () => {
  it('identical content is one version; new content is v2 and moves latest', async () => {
    const run = await init({ ...common(), name: 'producer' });
    const dir = writeTree(tempDir('tb-ds-'), { 'train.csv': 'a,b\n1,2\n', 'labels/names.txt': 'cat\ndog\n' });
    const first = await run.logArtifact('mnist', 'dataset', dir, { aliases: ['candidate'], metadata: { rows: 1 } });
    expect(first).toMatchObject({ version: 'v1', state: 'committed', created: true, fileCount: 2, producer: { key: run.key } });
    expect(first!.aliases.sort()).toEqual(['candidate', 'latest']);

    const same = await run.logArtifact('mnist', 'dataset', dir);
    expect(same).toMatchObject({ id: first!.id, version: 'v1', created: false });

    writeFileSync(join(dir, 'train.csv'), 'a,b\n1,2\n3,4\n');
    const second = await run.logArtifact('mnist', 'dataset', dir);
    expect(second).toMatchObject({ version: 'v2', created: true });
    expect((await api.artifactVersion(p.org, p.project, 'mnist', 'latest')).version).toBe('v2');
    expect((await api.artifactVersion(p.org, p.project, 'mnist', 'candidate')).version).toBe('v1');

    const reference = await run.logArtifactReference('imagenet', 'dataset', {
      uri: 's3://datasets/imagenet/',
      digest: 'etag:1234',
      size: 10,
    });
    expect(reference).toMatchObject({ version: 'v1', created: true, reference: { uri: 's3://datasets/imagenet/' } });
    await run.finish();
  });

  it('useArtifact downloads into the cache once, then reuses it without downloading', async () => {
    // Two paths with the same content: one download, two links.
    const weights = randomBytes(300_000);
    const dir = writeTree(tempDir('tb-model-'), { 'model.bin': weights, 'backup/model.bin': weights, 'config.json': '{"layers":3}' });
    const run = await init({ ...common(), name: 'consumer' });
    await run.logArtifact('resnet', 'model', dir);
    const cacheDir = tempDir('tb-cache-');
    const scope = { api, org: p.org, project: p.project };

    const first = await downloadArtifact(scope, 'resnet:latest', { cacheDir });
    expect(first).toMatchObject({ downloaded: 2, reused: 0 });
    expect(first.files).toHaveLength(3);
    expect(first.dir).toBe(join(cacheDir, 'versions', p.org, p.project, 'resnet', 'v1'));
    expect(readFileSync(join(first.dir, 'config.json'), 'utf8')).toBe('{"layers":3}');
    const object = join(cacheDir, 'objects', 'sha256', sha256(weights).slice(0, 2), sha256(weights));
    const before = statSync(object);
    expect(statSync(join(first.dir, 'model.bin')).ino).toBe(before.ino);
    expect(statSync(join(first.dir, 'backup', 'model.bin')).ino).toBe(before.ino);

    const second = await downloadArtifact(scope, 'resnet:v1', { cacheDir });
    expect(second).toMatchObject({ downloaded: 0, reused: 2, dir: first.dir });
    const after = statSync(object);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);

    // The package's entry point, with a root of the caller's choosing; the run records its input.
    const root = tempDir('tb-root-');
    expect(await useArtifact(`${p.ref}/resnet:latest`, { url: server.url, apiKey: p.key, cacheDir, root })).toBe(root);
    expect(statSync(join(root, 'model.bin')).ino).toBe(before.ino);
    await run.useArtifact('resnet:v1', { cacheDir });
    const version = await api.artifactVersion(p.org, p.project, 'resnet', 'v1');
    expect(version.consumers.map((c) => c.key)).toContain(run.key);
    await run.finish();
  });

  it('a version of more than 1,000 files is logged in parts, and logging it again adds no version', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 1_234 }, (_, i) => [`images/${String(i).padStart(4, '0')}.txt`, `label ${i % 7}`]),
    );
    const dir = writeTree(tempDir('tb-many-'), files);
    const run = await init({ ...common(), name: 'many-files' });
    const first = await run.logArtifact('many', 'dataset', dir);
    expect(first).toMatchObject({ version: 'v1', fileCount: 1_234, created: true });
    const again = await run.logArtifact('many', 'dataset', dir);
    expect(again).toMatchObject({ version: 'v1', created: false });
    const cacheDir = tempDir('tb-cache-many-');
    const fetched = await downloadArtifact({ api, org: p.org, project: p.project }, 'many:latest', { cacheDir });
    expect(fetched.files).toHaveLength(1_234);
    expect(readFileSync(join(fetched.dir, 'images/1233.txt'), 'utf8')).toBe(`label ${1233 % 7}`);
    await run.finish();
  });

  it('the CLI puts, lists and gets artifacts with --json and exit codes', async () => {
    const dir = writeTree(tempDir('tb-cli-art-'), { 'weights.bin': randomBytes(10_000), 'meta/info.txt': 'v1' });
    const cache = { TRACKBASE_CACHE_DIR: tempDir('tb-cli-cache-') };
    const put = await cli([
      'artifacts',
      'put',
      p.ref,
      'classifier',
      dir,
      '--kind',
      'model',
      '--alias',
      'best',
      '--alias',
      'staging',
      '--description',
      'first',
      '--json',
    ]);
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ version: 'v1', created: true, kind: 'model', description: 'first', fileCount: 2 });
    const again = await cli(['artifacts', 'put', p.ref, 'classifier', dir, '--kind', 'model', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 'v1', created: false });

    const list = await cli(['artifacts', 'list', p.ref, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).find((a: { name: string }) => a.name === 'classifier')).toMatchObject({
      kind: 'model',
      latest: 'v1',
      versionCount: 1,
    });
    expect((await cli(['artifacts', 'list', p.ref])).stdout).toMatch(/classifier\s+model\s+v1/);

    const out = tempDir('tb-cli-get-');
    const get = await cli(['artifacts', 'get', p.ref, 'classifier:best', '--dir', out, '--json'], cache);
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ dir: out, downloaded: 2, reused: 0, version: { version: 'v1' } });
    expect(readFileSync(join(out, 'meta', 'info.txt'), 'utf8')).toBe('v1');
    // Files put where the user asked are ordinary writable files, not links into the read-only cache.
    expect(statSync(join(out, 'meta', 'info.txt')).mode & 0o200).toBe(0o200);
    expect(statSync(join(out, 'meta', 'info.txt')).nlink).toBe(1);
    const cached = await cli(['artifacts', 'get', p.ref, 'classifier', '--json'], cache);
    expect(JSON.parse(cached.stdout)).toMatchObject({
      dir: join(cache.TRACKBASE_CACHE_DIR, 'versions', p.org, p.project, 'classifier', 'v1'),
      downloaded: 0,
      reused: 2,
    });

    expect((await cli(['artifacts', 'get', p.ref, 'classifier:nope'], cache)).code).toBe(4);
    expect((await cli(['artifacts', 'put', p.ref, 'classifier', dir])).code).toBe(2);
    expect((await cli(['artifacts', 'list', 'not-a-ref'])).code).toBe(2);
  });
});

describe('on an S3 store', () => {
  let s3: TestS3;
  let s3Server: ServerProcess;
  let q: Awaited<ReturnType<typeof setupProject>>;

  beforeAll(async () => {
    s3 = await startS3rver();
    s3Server = await ServerProcess.start({ ...s3.env, UPLOAD_PART_SIZE: String(PART_SIZE) });
    q = await setupProject(s3Server.url);
  }, 120_000);
  afterAll(async () => {
    await s3Server?.stop();
    await s3?.close();
  });

  it('multipart run files and artifacts travel through absolute presigned S3 URLs', async () => {
    const run = await init({ ...common(), url: s3Server.url, apiKey: q.key, project: q.ref, name: 's3' });
    const content = randomBytes(11 * 1024 * 1024);
    const dir = writeTree(tempDir('tb-s3-'), { 'big.bin': content, 'small.txt': 'small' });
    expect(await run.uploadFile(join(dir, 'big.bin'))).toMatchObject({ path: 'big.bin', state: 'available' });
    const version = await run.logArtifact('s3-data', 'dataset', dir);
    expect(version).toMatchObject({ version: 'v1', created: true, fileCount: 2 });

    const s3Api = new TrackbaseApi({ baseUrl: s3Server.url, apiKey: q.key });
    expect((await s3Api.runFileUrl(q.org, q.project, run.key!, 'big.bin')).url.startsWith(s3.endpoint)).toBe(true);
    const got = await downloadArtifact({ api: s3Api, org: q.org, project: q.project }, 's3-data', { cacheDir: tempDir('tb-s3-cache-') });
    expect(sha256(readFileSync(join(got.dir, 'big.bin')))).toBe(sha256(content));
    await run.finish();
  });
});
