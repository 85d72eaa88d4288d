import { DuckDBInstance } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startS3rver, type TestS3 } from '../../test/s3rver';
import { untar } from '../../test/tar';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendAll, sha256 } from '../../test/upload-client';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { ROWS_PER_PART } from './export-archive.service';

type Manifest = {
  artifact: string;
  kind: string;
  version: string;
  digest: string;
  aliases: string[];
  metadata: Record<string, unknown>;
  description: string;
  producer: string | null;
  consumers: string[];
  files: Array<{ path: string; size: number; sha256: string }>;
};

describe.each(['local', 's3'] as const)('project export archive on the %s store', (driverName) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let owner: TestUser;
  let source: string;
  let dir: string;

  beforeAll(async () => {
    s3 = driverName === 's3' ? await startS3rver() : undefined;
    t = await startTestApp(s3?.env ?? {});
    expect((t.app.get(STORAGE_DRIVER) as StorageDriver).name).toBe(driverName);
    owner = await signup(t.url, 'Archivist');
    const org = (await createOrg(owner)).slug;
    source = `/orgs/${org}/projects/${(await createProject(owner, org, 'private', 'archived')).slug}`;
    dir = mkdtempSync(join(tmpdir(), 'export-archive-spec-'));
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
    await s3?.close();
  });

  /** The archive's entries by name, read with a tar reader as a client would. */
  async function archive(user: TestUser, projectPath: string, query = '') {
    const response = await fetch(`${t.url}/api/v1${projectPath}/export/archive.tar${query}`, {
      headers: { authorization: `Bearer ${user.api.token}` },
    });
    if (response.status !== 200) {
      const { error } = (await response.json()) as { error: { code: string } };
      return { status: response.status, error, entries: new Map<string, Buffer>() };
    }
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    return { status: 200, error: null, entries: await untar(Readable.fromWeb(response.body as never)) };
  }

  const manifests = (entries: Map<string, Buffer>) =>
    [...entries.entries()]
      .filter(([name]) => name.endsWith('/manifest.json'))
      .map(([, bytes]) => JSON.parse(bytes.toString()) as Manifest)
      .sort((a, b) => (a.artifact + a.version < b.artifact + b.version ? -1 : 1));

  async function logVersion(user: TestUser, projectPath: string, name: string, files: Record<string, Buffer>, extra: object) {
    const versions = `${projectPath}/artifacts/${name}/versions`;
    const declared = await user.api.post(versions, { files: Object.entries(files).map(([p, c]) => declaration(p, c)), ...extra });
    expect(declared.status, JSON.stringify(declared.body)).toBeLessThan(300);
    if (declared.body.version.state === 'committed') return declared.body.version;
    await sendAll(user.api, projectPath, declared.body, files);
    const committed = await user.api.post(`${versions}/${declared.body.version.id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    return committed.body;
  }

  async function rows(bytes: Buffer, sql: string): Promise<Array<Record<string, unknown>>> {
    const path = join(dir, `${randomBytes(4).toString('hex')}.parquet`);
    writeFileSync(path, bytes);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      return (await connection.runAndReadAll(sql.replace(/\bFROM f\b/, `FROM read_parquet('${path}')`))).getRowObjectsJson() as Array<
        Record<string, unknown>
      >;
    } finally {
      connection.closeSync();
    }
  }

  it('carries records, run files and every artifact version with its files and metadata, and re-imports into another org', async () => {
    const run = (await owner.api.post(`${source}/runs`, { name: 'trainer', params: { lr: 0.1 } })).body as { id: string; key: string };
    await owner.api.post(`${source}/runs/${run.id}/batches`, {
      streamId: 's',
      seq: 0,
      metrics: [{ name: 'loss', steps: [0, 1, 2], values: [3, 2, 1], times: [1e12, 1e12 + 1, 1e12 + 2] }],
    });
    const runFiles = { 'ckpt/weights.bin': randomBytes(70_000), 'notes.txt': Buffer.from('hello') };
    const declared = await owner.api.post(`${source}/runs/${run.id}/files`, {
      files: Object.entries(runFiles).map(([p, c]) => declaration(p, c)),
    });
    await sendAll(owner.api, source, declared.body, runFiles);

    const v1Files = { 'model.pt': randomBytes(50_000), 'config/params.json': Buffer.from('{"depth": 3}') };
    const v2Files = { 'model.pt': randomBytes(60_000), 'config/params.json': Buffer.from('{"depth": 4}') };
    await logVersion(owner, source, 'classifier', v1Files, {
      kind: 'model',
      metadata: { accuracy: 0.91, framework: { name: 'torch' } },
      description: 'first',
      aliases: ['prod'],
      run: run.key,
    });
    await logVersion(owner, source, 'classifier', v2Files, { kind: 'model', metadata: { accuracy: 0.93 }, description: 'second' });
    const dataset = { 'train.csv': Buffer.from('a,b\n1,2\n') };
    await logVersion(owner, source, 'mnist', dataset, { kind: 'dataset' });
    await owner.api.post(`${source}/artifacts/mnist/versions/v1/use`, { run: run.key });

    const exported = await archive(owner, source);
    expect(exported.status).toBe(200);
    const { entries } = exported;
    expect([...entries.keys()].sort()).toEqual(
      [
        'artifacts/classifier/v1/files/config/params.json',
        'artifacts/classifier/v1/files/model.pt',
        'artifacts/classifier/v1/manifest.json',
        'artifacts/classifier/v2/files/config/params.json',
        'artifacts/classifier/v2/files/model.pt',
        'artifacts/classifier/v2/manifest.json',
        'artifacts/mnist/v1/files/train.csv',
        'artifacts/mnist/v1/manifest.json',
        'data/part-00000.parquet',
        'export.json',
        `files/${run.id}/ckpt/weights.bin`,
        `files/${run.id}/notes.txt`,
      ].sort(),
    );
    for (const [path, bytes] of Object.entries(runFiles)) expect(sha256(entries.get(`files/${run.id}/${path}`)!)).toBe(sha256(bytes));
    for (const [version, files] of [
      ['v1', v1Files],
      ['v2', v2Files],
    ] as const)
      for (const [path, bytes] of Object.entries(files))
        expect(sha256(entries.get(`artifacts/classifier/${version}/files/${path}`)!)).toBe(sha256(bytes));
    const [v1, v2, mnist] = manifests(entries);
    expect(v1).toMatchObject({
      artifact: 'classifier',
      kind: 'model',
      version: 'v1',
      aliases: ['prod'],
      metadata: { accuracy: 0.91, framework: { name: 'torch' } },
      description: 'first',
      producer: run.key,
    });
    expect(v1!.files).toEqual(
      Object.entries(v1Files)
        .map(([path, c]) => ({ path, size: c.length, sha256: sha256(c) }))
        .sort((a, b) => (a.path < b.path ? -1 : 1)),
    );
    expect(v2).toMatchObject({ version: 'v2', aliases: ['latest'], description: 'second', producer: null });
    expect(mnist).toMatchObject({ kind: 'dataset', consumers: [run.key] });
    expect(JSON.parse(entries.get('export.json')!.toString())).toMatchObject({
      format: 'trackbase-export',
      version: 1,
      counts: { runs: 1, params: 1, points: 3, files: 2, artifactVersions: 3 },
    });
    expect(await rows(entries.get('data/part-00000.parquet')!, `SELECT count(*)::int AS n FROM f WHERE record = 'metric'`)).toEqual([
      { n: 3 },
    ]);

    // Into another organization, as `trackbase import trackbase` does: each version logged again from its manifest and files.
    const other = await signup(t.url, 'Importer');
    const otherOrg = (await createOrg(other)).slug;
    const target = `/orgs/${otherOrg}/projects/${(await createProject(other, otherOrg)).slug}`;
    for (const m of manifests(entries)) {
      const files = Object.fromEntries(m.files.map((f) => [f.path, entries.get(`artifacts/${m.artifact}/${m.version}/files/${f.path}`)!]));
      await logVersion(other, target, m.artifact, files, {
        kind: m.kind,
        metadata: m.metadata,
        description: m.description,
        aliases: m.aliases.filter((a) => a !== 'latest'),
      });
    }
    const again = await archive(other, target);
    const strip = (m: Manifest) => ({ ...m, producer: undefined, consumers: undefined, createdAt: undefined });
    expect(manifests(again.entries).map(strip)).toEqual(manifests(entries).map(strip));
    for (const [name, bytes] of entries)
      if (name.startsWith('artifacts/') && !name.endsWith('manifest.json')) expect(sha256(again.entries.get(name)!)).toBe(sha256(bytes));
  });

  it('leaves files and artifacts out on request, refuses a bad filter before the stream, and hides the project from outsiders', async () => {
    const slim = await archive(owner, source, '?files=false&artifacts=false');
    expect([...slim.entries.keys()].sort()).toEqual(['data/part-00000.parquet', 'export.json']);
    const bad = await archive(owner, source, `?filter=${encodeURIComponent('params.lr >>> 1')}`);
    expect([bad.status, bad.error?.code]).toEqual([400, expect.any(String)]);
    const stranger = await signup(t.url, 'Stranger');
    const hidden = await archive(stranger, source);
    expect([hidden.status, hidden.error?.code]).toEqual([404, 'not_found']);
    const unknownFlag = await archive(owner, source, '?files=maybe');
    expect(unknownFlag.status).toBe(400);
  });

  it.runIf(driverName === 'local')('records longer than a part come in several Parquet parts, every row once', async () => {
    const project = (await createProject(owner, source.split('/')[2]!, 'private', 'parted')).slug;
    const path = `${source.split('/projects/')[0]}/projects/${project}`;
    const run = (await owner.api.post(`${path}/runs`, { name: 'long' })).body as { id: string };
    // Eight series of 50,000 points: batches are cut between series, so the rows pass a part's size well before the end.
    const perSeries = 50_000;
    const series = 8;
    expect(series * perSeries).toBeGreaterThan(ROWS_PER_PART + 2 * perSeries);
    const steps = Array.from({ length: perSeries }, (_, i) => i);
    for (let k = 0; k < series; k++) {
      const ack = await owner.api.post(`${path}/runs/${run.id}/batches`, {
        streamId: 'long',
        seq: k,
        metrics: [{ name: `s${k}`, steps, values: steps, times: steps.map((s) => 1e12 + s) }],
      });
      expect(ack.status).toBe(200);
    }
    const { entries } = await archive(owner, path);
    const parts = [...entries.keys()].filter((name) => name.startsWith('data/')).sort();
    expect(parts).toEqual(['data/part-00000.parquet', 'data/part-00001.parquet']);
    const bySeries = new Map<string, number>();
    for (const part of parts)
      for (const r of await rows(
        entries.get(part)!,
        `SELECT name, count(*)::int AS n, count(DISTINCT step)::int AS d FROM f WHERE record = 'metric' GROUP BY name`,
      )) {
        expect(r.d).toBe(r.n);
        bySeries.set(String(r.name), (bySeries.get(String(r.name)) ?? 0) + Number(r.n));
      }
    expect(Object.fromEntries(bySeries)).toEqual(Object.fromEntries(Array.from({ length: series }, (_, k) => [`s${k}`, perSeries])));
    expect(JSON.parse(entries.get('export.json')!.toString()).counts).toMatchObject({ runs: 1, points: series * perSeries });
  });
});
