import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { startBalancer, type Balancer } from './balancer';
import { startServer, type BenchServer } from './server';

/**
 * Several API processes on one PostgreSQL and one Redis behind HAProxy, as a multi-node deployment
 * runs (docs/operations.md): the database is a fresh one made on BENCH_ADMIN_URL's server (default
 * the machine's PostgreSQL, postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end.
 */
export interface Cluster {
  url: string;
  databaseUrl: string;
  nodes: BenchServer[];
  balancer: Balancer;
  /** The PostgreSQL server's main process (its backends are its descendants), for CPU and memory. */
  postmasterPid: number | null;
  stop(): Promise<void>;
}

const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function createDatabase(name: string): Promise<{ url: string; postmasterPid: number | null; drop(): Promise<void> }> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  // The server's main process is the parent of this connection's backend (read while it lives).
  const backend = Number((await admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  let postmasterPid: number | null = null;
  try {
    const raw = readFileSync(`/proc/${backend}/stat`, 'utf8');
    postmasterPid = Number(raw.slice(raw.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    /* another machine's server */
  }
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    postmasterPid,
    async drop() {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** `count` API nodes on one database, started one after another (the first migrates), behind a balancer. */
export async function startCluster(count: number, basePort: number, env: Record<string, string> = {}): Promise<Cluster> {
  const db = await createDatabase(`trackbase_cluster_${process.pid}_${count}`);
  const nodes: BenchServer[] = [];
  let balancer: Balancer | undefined;
  try {
    for (let i = 0; i < count; i++) {
      // Nodes share their secrets, as every multi-node deployment must (the Helm chart refuses otherwise).
      const secrets = { JWT_SECRET: 'bench-cluster-secret-long-enough-for-hs256', SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };
      nodes.push(await startServer(basePort + 1 + i, { DATABASE_URL: db.url, REDIS_URL, ...secrets, ...env }));
    }
    balancer = await startBalancer(
      basePort,
      nodes.map((_, i) => basePort + 1 + i),
    );
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    await db.drop();
    throw error;
  }
  const b = balancer;
  return {
    url: b.url,
    databaseUrl: db.url,
    nodes,
    balancer: b,
    postmasterPid: db.postmasterPid,
    async stop() {
      await b.stop();
      await Promise.all(nodes.map((n) => n.stop()));
      await db.drop();
    },
  };
}
