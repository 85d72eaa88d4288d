import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Tables a run logged: one row per (run, key, step) with the schema, the row
 * count and the Parquet object in the store that holds the cells. The uploaded
 * document it was made from is kept as its own object (`source_object_id`);
 * losing that one (its run file deleted) does not lose the table.
 */
export class RunTables1764004815000 implements MigrationInterface {
  name = 'RunTables1764004815000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE run_tables (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        project_id uuid NOT NULL,
        run_id uuid NOT NULL,
        key text COLLATE "C" NOT NULL,
        step bigint NOT NULL CHECK (step >= 0),
        columns jsonb NOT NULL,
        row_count integer NOT NULL CHECK (row_count >= 0),
        object_id uuid NOT NULL,
        source_object_id uuid,
        source_sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (run_id, key, step),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, object_id) REFERENCES stored_objects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, source_object_id) REFERENCES stored_objects(organization_id, id) ON DELETE SET NULL (source_object_id)
      )`);
    await q.query(`CREATE INDEX run_tables_organization_idx ON run_tables (organization_id)`);
    await q.query(`CREATE INDEX run_tables_project_key_idx ON run_tables (project_id, key)`);
    await q.query(`CREATE INDEX run_tables_object_idx ON run_tables (object_id)`);
    await q.query(`CREATE INDEX run_tables_source_idx ON run_tables (source_object_id) WHERE source_object_id IS NOT NULL`);
    await enableTenantSecurity(q, ['run_tables']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS run_tables`);
  }
}
