import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApp } from '../src/app.factory';
import { loadConfig, type AppConfig } from '../src/config/config';
import { TEMPLATE_DATABASE, withDatabase } from './global-setup';

export interface TestApp {
  url: string;
  databaseUrl: string;
  app: INestApplication;
  dataSource: DataSource;
  config: AppConfig;
  close(): Promise<void>;
}

/** A fresh database cloned from the migrated template. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `trackbase_test_${randomUUID().replace(/-/g, '')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  return withDatabase(adminUrl, name);
}

/** Boots the real application on its own database and a free port. */
export async function startTestApp(env: Record<string, string> = {}, databaseUrl?: string): Promise<TestApp> {
  const dbUrl = databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TRACKBASE_DATA_DIR: mkdtempSync(join(tmpdir(), 'trackbase-test-data-')),
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    DB_POOL_SIZE: '10',
    ...env,
  });
  const app = await createApp(config, dbUrl);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const dataSource = app.get(DataSource);
  return {
    url: `http://127.0.0.1:${address.port}`,
    databaseUrl: dbUrl,
    app,
    dataSource,
    config,
    close: () => app.close(),
  };
}
