import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { init, useArtifact } from '@trackbase/sdk';
import { seriesSteps, setupProject, tempDir } from './sdk-helpers';

// The procedure of docs/operations.md, run for real: pg_dump of a populated instance on a real
// PostgreSQL server (the machine's, with Debian's client tools), pg_restore into a fresh database,
// the artifact store copied alongside, and a new server on the restored copy.
const ADMIN_URL = process.env.BACKUP_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const databaseUrl = (name: string) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};
const psql = (sql: string) => execFileSync('psql', [ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]).toString().trim();

const original = `trackbase_backup_${randomUUID().replace(/-/g, '')}`;
const restored = `${original}_restored`;
const servers: ServerProcess[] = [];

beforeAll(() => {
  psql(`CREATE DATABASE ${original}`);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const name of [original, restored]) psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('backup and restore', () => {
  it('a dump of a populated instance restored into a fresh database serves the same runs, series and artifacts', async () => {
    const dataDir = tempDir('tb-backup-data-');
    const source = await ServerProcess.start({ TRACKBASE_DATA_DIR: dataDir }, { databaseUrl: databaseUrl(original) });
    servers.push(source);
    const p = await setupProject(source.url);
    const run = await init({
      url: source.url,
      apiKey: p.key,
      project: p.ref,
      dir: tempDir('tb-backup-journal-'),
      name: 'before-the-backup',
      systemMetricsIntervalMs: 0,
      exitHandlers: false,
      context: false,
      log: () => undefined,
    });
    for (let step = 0; step < 2_000; step++) await run.log({ loss: 1 / (step + 1) }, step);
    await run.logParams({ lr: 0.001 });
    const artifactDir = tempDir('tb-backup-artifact-');
    writeFileSync(join(artifactDir, 'weights.bin'), 'the weights');
    await run.logArtifact('model', 'model', artifactDir, { aliases: ['production'] });
    expect((await run.finish()).delivered).toBe(true);

    // Back up: the database with pg_dump, the artifact store by copy (object versioning on S3).
    const dump = join(tempDir('tb-backup-dump-'), 'trackbase.dump');
    execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, databaseUrl(original)]);
    const storeCopy = tempDir('tb-backup-store-');
    cpSync(join(dataDir, 'artifacts'), storeCopy, { recursive: true });
    await source.stop();

    // Restore into a fresh database and start a server on it.
    psql(`CREATE DATABASE ${restored}`);
    execFileSync('pg_restore', ['--no-owner', `--dbname=${databaseUrl(restored)}`, dump]);
    const copy = await ServerProcess.start(
      { TRACKBASE_DATA_DIR: tempDir('tb-restored-data-'), ARTIFACTS_DIR: storeCopy },
      { databaseUrl: databaseUrl(restored) },
    );
    servers.push(copy);

    const headers = { authorization: `Bearer ${p.key}` };
    const detail = await (await fetch(`${copy.url}/api/v1/orgs/${p.org}/projects/${p.project}/runs/${run.key}`, { headers })).json();
    expect(detail).toMatchObject({ name: 'before-the-backup', state: 'finished', params: { lr: 0.001 } });
    expect(await seriesSteps(copy.url, p.key, p.org, p.project, run.key!, 'loss')).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    const downloaded = await useArtifact(`${p.org}/${p.project}/model:production`, {
      url: copy.url,
      apiKey: p.key,
      cacheDir: tempDir('tb-restored-cache-'),
    });
    expect(readFileSync(join(downloaded, 'weights.bin'), 'utf8')).toBe('the weights');
  }, 180_000);
});
