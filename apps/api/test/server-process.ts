import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../src/database/embedded-postgres';
import { createTestDatabase } from './test-app';

const ENTRY = resolve(__dirname, '../dist/apps/api/src/main.js');

/**
 * The built API as its own process on a fresh test database, so tests can
 * kill it (SIGKILL included) and start it again on the same port and data.
 */
export class ServerProcess {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly databaseUrl: string,
    private readonly env: Record<string, string>,
  ) {}

  /**
   * With `embedded`, the server starts its own embedded PostgreSQL in a fresh data directory (as
   * `npm start` does) instead of using a cloned test database.
   */
  static async start(env: Record<string, string> = {}, options: { embedded?: boolean; databaseUrl?: string } = {}): Promise<ServerProcess> {
    if (options.embedded) {
      const dataDir = mkdtempSync(join(tmpdir(), 'trackbase-e2e-data-'));
      return ServerProcess.startWith(new ServerProcess(await freePort(), '', { TRACKBASE_DATA_DIR: dataDir, ...env }));
    }
    const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
    return ServerProcess.startWith(new ServerProcess(await freePort(), databaseUrl, env));
  }

  private static async startWith(server: ServerProcess): Promise<ServerProcess> {
    await server.start();
    return server;
  }

  /** The data directory of a server started with `embedded`. */
  get dataDir(): string | undefined {
    return this.env.TRACKBASE_DATA_DIR;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [ENTRY], {
      env: {
        ...process.env,
        ...(this.databaseUrl ? { DATABASE_URL: this.databaseUrl } : {}),
        PORT: String(this.port),
        LOG_LEVEL: 'warn',
        JWT_SECRET: 'e2e-secret-that-is-long-enough-for-hs256-signing',
        AUTH_RATE_LIMIT_PER_MINUTE: '100000',
        ...this.env,
      },
      stdio: ['ignore', process.env.SERVER_STDOUT ? 'inherit' : 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`server exited with ${this.child.exitCode}`);
      const status = await fetch(`${this.url}/readyz`)
        .then((r) => r.status)
        .catch(() => 0);
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error('server did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}
