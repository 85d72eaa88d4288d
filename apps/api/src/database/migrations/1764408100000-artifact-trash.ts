import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ROLE } from '../tenant-scope';

const REVEALED = `current_setting('trackbase.trash', true) = 'on'`;

/**
 * Deleting a whole artifact moves it to the trash, as runs, versions and
 * projects go. `artifacts` gets `deleted_at`, `deleted_by`, `purge_after`; the
 * restrictive policy `artifacts_not_trashed` hides trashed artifacts from the
 * tenant role, and `artifact_versions_artifact_live` hides the versions of a
 * trashed artifact with it (a version is visible only while its artifact is),
 * so version ids, lineage and the W&B door answer as if it were gone. Its
 * aliases, files and usages stay as they are, so a restore brings it back
 * whole. The name is unique among live artifacts only: a new artifact may take
 * the name of a trashed one (restoring that one then answers 409).
 */
export class ArtifactTrash1764408100000 implements MigrationInterface {
  name = 'ArtifactTrash1764408100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE artifacts
        ADD COLUMN deleted_at timestamptz,
        ADD COLUMN deleted_by uuid REFERENCES users(id) ON DELETE SET NULL,
        ADD COLUMN purge_after timestamptz,
        ADD CONSTRAINT artifacts_trash_complete CHECK ((deleted_at IS NULL) = (purge_after IS NULL))`);
    await q.query(`CREATE INDEX artifacts_purge_idx ON artifacts (purge_after) WHERE deleted_at IS NOT NULL`);
    await q.query(`CREATE INDEX artifacts_trash_idx ON artifacts (project_id, deleted_at) WHERE deleted_at IS NOT NULL`);
    await q.query(`ALTER TABLE artifacts DROP CONSTRAINT artifacts_project_id_name_key`);
    await q.query(`CREATE UNIQUE INDEX artifacts_live_name_idx ON artifacts (project_id, name) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE POLICY artifacts_not_trashed ON artifacts AS RESTRICTIVE TO ${TENANT_ROLE}
        USING (deleted_at IS NULL OR ${REVEALED})`);
    await q.query(`
      CREATE POLICY artifact_versions_artifact_live ON artifact_versions AS RESTRICTIVE TO ${TENANT_ROLE}
        USING (${REVEALED} OR EXISTS (SELECT 1 FROM artifacts a WHERE a.id = artifact_versions.artifact_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY artifact_versions_artifact_live ON artifact_versions`);
    await q.query(`DROP POLICY artifacts_not_trashed ON artifacts`);
    await q.query(`DELETE FROM artifacts WHERE deleted_at IS NOT NULL`);
    await q.query(`DROP INDEX artifacts_live_name_idx`);
    await q.query(`ALTER TABLE artifacts ADD CONSTRAINT artifacts_project_id_name_key UNIQUE (project_id, name)`);
    await q.query(`ALTER TABLE artifacts DROP COLUMN purge_after, DROP COLUMN deleted_by, DROP COLUMN deleted_at`);
  }
}
