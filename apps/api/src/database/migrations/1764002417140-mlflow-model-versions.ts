import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * What MLflow's model registry keeps of a version beyond the artifact version it is: its stage
 * (MLflow 2.x's `None`, `Staging`, `Production`, `Archived`), tags and an edited description.
 * A row exists only for versions that have any of these; renaming the registered model carries them.
 */
export class MlflowModelVersions1764002417140 implements MigrationInterface {
  name = 'MlflowModelVersions1764002417140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mlflow_model_versions (
        project_id uuid NOT NULL,
        name text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        stage text NOT NULL DEFAULT 'None' CHECK (stage IN ('None', 'Staging', 'Production', 'Archived')),
        description text,
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, name, version),
        FOREIGN KEY (project_id, name) REFERENCES mlflow_registered_models(project_id, name) ON DELETE CASCADE ON UPDATE CASCADE
      )`);
    await q.query(`CREATE INDEX mlflow_model_versions_org_idx ON mlflow_model_versions (organization_id)`);
    await enableTenantSecurity(q, ['mlflow_model_versions']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS mlflow_model_versions`);
  }
}
