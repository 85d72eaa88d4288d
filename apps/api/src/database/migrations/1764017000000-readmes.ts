import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * READMEs of projects, runs and artifacts: every save is a new version row
 * (who, when, the whole text), so history and diffs need nothing else. A row
 * belongs to its project and, for a run's or an artifact's README, to that
 * run or artifact; deleting either deletes its README.
 */
export class Readmes1764017000000 implements MigrationInterface {
  name = 'Readmes1764017000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE readme_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        run_id uuid,
        artifact_id uuid,
        version integer NOT NULL CHECK (version > 0),
        body text NOT NULL,
        author_id uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (run_id IS NULL OR artifact_id IS NULL),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, artifact_id) REFERENCES artifacts(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX readme_versions_organization_idx ON readme_versions (organization_id)`);
    await q.query(
      `CREATE UNIQUE INDEX readme_versions_target_idx ON readme_versions (project_id, (coalesce(run_id, artifact_id, project_id)), version)`,
    );
    await q.query(`CREATE INDEX readme_versions_run_idx ON readme_versions (run_id) WHERE run_id IS NOT NULL`);
    await q.query(`CREATE INDEX readme_versions_artifact_idx ON readme_versions (artifact_id) WHERE artifact_id IS NOT NULL`);
    await enableTenantSecurity(q, ['readme_versions']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS readme_versions`);
  }
}
