import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * What MLflow's API needs beside projects and runs: an experiment's lifecycle
 * stage and key-value tags, and a run's key-value tags, parent,
 * client-given times and soft deletion (MLflow deletes runs and experiments
 * reversibly). One row per project or run that MLflow has touched.
 */
export class Mlflow1764001000000 implements MigrationInterface {
  name = 'Mlflow1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mlflow_experiments (
        project_id uuid PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        lifecycle_stage text NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX mlflow_experiments_org_idx ON mlflow_experiments (organization_id)`);
    await q.query(`
      CREATE TABLE mlflow_runs (
        run_id uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        parent_run_id uuid REFERENCES runs(id) ON DELETE SET NULL,
        user_id text,
        start_time bigint,
        end_time bigint,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX mlflow_runs_org_idx ON mlflow_runs (organization_id)`);
    await q.query(`CREATE INDEX mlflow_runs_parent_idx ON mlflow_runs (parent_run_id) WHERE parent_run_id IS NOT NULL`);
    // MLflow 3's logged models; their files are run files of the source run under `logged-models/<id>/`.
    await q.query(`
      CREATE TABLE mlflow_logged_models (
        id text PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        source_run_id uuid REFERENCES runs(id) ON DELETE SET NULL,
        name text NOT NULL,
        model_type text,
        status text NOT NULL DEFAULT 'LOGGED_MODEL_PENDING',
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX mlflow_logged_models_org_idx ON mlflow_logged_models (organization_id)`);
    await q.query(`CREATE INDEX mlflow_logged_models_project_idx ON mlflow_logged_models (project_id, created_at)`);
    await q.query(`CREATE INDEX mlflow_logged_models_run_idx ON mlflow_logged_models (source_run_id) WHERE source_run_id IS NOT NULL`);
    // Registered models: their versions and aliases are artifacts of kind model in the organization's default project.
    await q.query(`
      CREATE TABLE mlflow_registered_models (
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        description text NOT NULL DEFAULT '',
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, name)
      )`);
    await q.query(`CREATE INDEX mlflow_registered_models_org_idx ON mlflow_registered_models (organization_id)`);
    await enableTenantSecurity(q, ['mlflow_experiments', 'mlflow_runs', 'mlflow_logged_models', 'mlflow_registered_models']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS mlflow_registered_models`);
    await q.query(`DROP TABLE IF EXISTS mlflow_logged_models`);
    await q.query(`DROP TABLE IF EXISTS mlflow_runs`);
    await q.query(`DROP TABLE IF EXISTS mlflow_experiments`);
  }
}
