import type { AppConfig } from '../config/config';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when given; otherwise an embedded PostgreSQL under the data directory. */
export async function resolveDatabase(
  config: AppConfig,
  log?: (line: string) => void,
  onCrash?: (message: string) => void,
): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres(config.TRACKBASE_DATA_DIR, { log, onCrash });
  return { url: embedded.url, embedded: true, stop: embedded.stop };
}
