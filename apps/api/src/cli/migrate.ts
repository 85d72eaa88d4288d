import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import { dataSourceOptions } from '../database/data-source-options';

/** `npm run migrate`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  const dataSource = new DataSource(dataSourceOptions(database.url, 2));
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations();
    console.log(JSON.stringify({ msg: 'migrations applied', applied: applied.map((m) => m.name) }));
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
