import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';
import { TENANT_ROLE } from '../tenant-scope';

const TRASHABLE = ['runs', 'artifact_versions', 'projects'];

/**
 * Trash and retention. Runs, artifact versions and projects are deleted softly
 * (`deleted_at`, `deleted_by`, `purge_after`); a restrictive row-level policy
 * hides trashed rows from every tenant-scoped query (lists, gets, search, the
 * MLflow and W&B doors, series reads, reports) unless the transaction turns
 * `trackbase.trash` on, which only the trash repository does. The storage
 * janitor purges rows past `purge_after` (system scope, no policy), and the
 * delete triggers of stored objects free their storage and quota as before.
 *
 * A trashed run gives up its external id (kept in `trashed_external_id`) so a
 * new run may take it; a trashed version gives up its aliases (kept in
 * `trashed_aliases`) so `latest` and the others resolve to live versions.
 */
export class Trash1764301000000 implements MigrationInterface {
  name = 'Trash1764301000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TRASHABLE) {
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN deleted_at timestamptz,
          ADD COLUMN deleted_by uuid REFERENCES users(id) ON DELETE SET NULL,
          ADD COLUMN purge_after timestamptz,
          ADD CONSTRAINT ${table}_trash_complete CHECK ((deleted_at IS NULL) = (purge_after IS NULL))`);
      await q.query(`CREATE INDEX ${table}_purge_idx ON ${table} (purge_after) WHERE deleted_at IS NOT NULL`);
      await q.query(`
        CREATE POLICY ${table}_not_trashed ON ${table} AS RESTRICTIVE TO ${TENANT_ROLE}
          USING (deleted_at IS NULL OR current_setting('trackbase.trash', true) = 'on')`);
    }
    await q.query(`ALTER TABLE runs ADD COLUMN trashed_external_id text`);
    await q.query(`ALTER TABLE artifact_versions ADD COLUMN trashed_aliases text[]`);
    await q.query(`CREATE INDEX runs_trash_idx ON runs (project_id, deleted_at) WHERE deleted_at IS NOT NULL`);
    await q.query(`CREATE INDEX artifact_versions_trash_idx ON artifact_versions (artifact_id, deleted_at) WHERE deleted_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE retention_policies (
        project_id uuid PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        keep_last_versions integer CHECK (keep_last_versions >= 1),
        failed_run_files_days integer CHECK (failed_run_files_days >= 0),
        run_filter text,
        run_filter_days integer CHECK (run_filter_days >= 0),
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((run_filter IS NULL) = (run_filter_days IS NULL))
      )`);
    await q.query(`CREATE INDEX retention_policies_org_idx ON retention_policies (organization_id)`);
    await enableTenantSecurity(q, ['retention_policies']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE retention_policies`);
    await q.query(`ALTER TABLE artifact_versions DROP COLUMN trashed_aliases`);
    await q.query(`ALTER TABLE runs DROP COLUMN trashed_external_id`);
    for (const table of TRASHABLE) {
      await q.query(`DROP POLICY ${table}_not_trashed ON ${table}`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN purge_after, DROP COLUMN deleted_by, DROP COLUMN deleted_at`);
    }
  }
}
