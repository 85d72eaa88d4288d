// Tracing first: it patches http, express and pg as they load.
import { stopTracing } from './tracing';
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from './app.factory';
import { ConfigError, loadConfig, multiNodeWarnings, redactedConfig, type AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source-options';
import { resolveDatabase } from './database/resolve-database';
import { logStream, resolveLogFormat, type LogFormat } from './common/logging/log-format';
import { readyBanner } from './common/logging/ready-banner';

async function migrate(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    return (await dataSource.runMigrations()).map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

let format: LogFormat = resolveLogFormat('auto', process.stdout.isTTY === true);

function log(fields: Record<string, unknown>): void {
  logStream(format).write(`${JSON.stringify({ level: 30, time: Date.now(), ...fields })}\n`);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  format = resolveLogFormat(config.LOG_FORMAT, process.stdout.isTTY === true);
  // The full configuration on a terminal is noise; JSON consumers keep it.
  log(format === 'json' ? { msg: 'starting trackbase', config: redactedConfig(config) } : { msg: 'starting trackbase' });
  for (const warning of multiNodeWarnings()) log({ level: 40, msg: warning });
  const database = await resolveDatabase(config, undefined, (message) => log({ level: 40, msg: message }));
  if (database.embedded) log({ msg: 'embedded PostgreSQL started', dataDir: config.TRACKBASE_DATA_DIR });
  if (config.MIGRATE_ON_BOOT) log({ msg: 'migrations applied', applied: await migrate(database.url) });

  const app = await createApp(config, database.url);
  await app.listen(config.PORT, config.HOST);
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = config.KEEP_ALIVE_TIMEOUT_SECONDS * 1000;
  // Above the keep-alive timeout, so a slow request on a reused connection is not cut by the headers timer first.
  server.headersTimeout = server.keepAliveTimeout + 5_000;
  const url = config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  const startupMs = Math.round(process.uptime() * 1000);
  const webApp = existsSync(join(resolve(config.WEB_DIST_DIR), 'index.html'));
  if (format === 'json') log({ msg: 'trackbase is ready', url, docs: `${url}/api/docs`, webApp, startupMs });
  else process.stdout.write(readyBanner({ url, webApp, startupMs }));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ msg: 'shutting down', signal });
    const deadline = setTimeout(() => {
      log({ msg: 'shutdown grace period over, exiting' });
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    deadline.unref();
    // Stops accepting, lets in-flight requests finish, then closes the pool.
    await app.close();
    await database.stop();
    await stopTracing();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Say what failed and what to do, never a bare `undefined`.
  const message = error instanceof Error ? (error.stack ?? error.message) : `start-up failed: ${String(error)}`;
  console.error(`trackbase could not start: ${message}`);
  console.error(
    'Check the settings above (DATABASE_URL, TRACKBASE_DATA_DIR, PORT); with the embedded database, its log lines are printed with LOG_LEVEL=debug.',
  );
  process.exit(1);
});
