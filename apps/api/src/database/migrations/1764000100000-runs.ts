import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Runs and everything they record. Metric points are stored as segments: one
 * row holds many points of one series as packed float64 arrays (steps, values,
 * times) plus a summary and a sketch of 64-point chunks, so ingestion writes
 * few rows and downsampled reads of long series touch only the sketches.
 */
export class Runs1764000100000 implements MigrationInterface {
  name = 'Runs1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects ADD COLUMN next_run_number integer NOT NULL DEFAULT 1`);
    await q.query(`
      CREATE TABLE runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        project_id uuid NOT NULL,
        number integer NOT NULL,
        name text NOT NULL,
        external_id text,
        state text NOT NULL CHECK (state IN ('running', 'finished', 'failed', 'aborted', 'crashed')),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        heartbeat_at timestamptz,
        description text NOT NULL DEFAULT '',
        notes text NOT NULL DEFAULT '',
        tags text[] NOT NULL DEFAULT '{}',
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        context jsonb NOT NULL DEFAULT '{}'::jsonb,
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        UNIQUE (project_id, number),
        UNIQUE (project_id, external_id),
        UNIQUE (organization_id, id)
      )`);
    await q.query(`CREATE INDEX runs_organization_idx ON runs (organization_id)`);
    await q.query(`CREATE INDEX runs_project_created_idx ON runs (project_id, created_at DESC, id)`);
    await q.query(`CREATE INDEX runs_params_idx ON runs USING gin (params jsonb_path_ops)`);
    await q.query(`CREATE INDEX runs_tags_idx ON runs USING gin (tags)`);
    await q.query(`CREATE INDEX runs_running_heartbeat_idx ON runs (heartbeat_at) WHERE state = 'running'`);

    await q.query(`
      CREATE TABLE series (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL,
        run_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('metric', 'system', 'text')),
        name text NOT NULL,
        count bigint NOT NULL DEFAULT 0,
        last_step bigint,
        last_value float8,
        last_time_ms float8,
        min_value float8,
        max_value float8,
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        UNIQUE (run_id, kind, name)
      )`);
    await q.query(`CREATE INDEX series_organization_idx ON series (organization_id)`);
    // Lets "sort runs by a metric's last value" walk the index and stop after a page.
    await q.query(`CREATE INDEX series_metric_last_idx ON series (name, last_value, run_id) WHERE kind = 'metric'`);

    // Packed little-endian float64 arrays; EXTERNAL skips compression attempts that gain little on floats.
    await q.query(`
      CREATE TABLE series_segments (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        series_id bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        first_step bigint NOT NULL,
        last_step bigint NOT NULL,
        count integer NOT NULL,
        min_value float8,
        max_value float8,
        steps bytea NOT NULL,
        values bytea NOT NULL,
        times bytea NOT NULL,
        chunks bytea NOT NULL
      )`);
    for (const column of ['steps', 'values', 'times', 'chunks']) {
      await q.query(`ALTER TABLE series_segments ALTER COLUMN ${column} SET STORAGE EXTERNAL`);
    }
    await q.query(`CREATE INDEX series_segments_series_idx ON series_segments (series_id, first_step)`);
    await q.query(`CREATE INDEX series_segments_organization_idx ON series_segments (organization_id)`);

    await q.query(`
      CREATE TABLE text_segments (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        series_id bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        first_step bigint NOT NULL,
        last_step bigint NOT NULL,
        count integer NOT NULL,
        steps bigint[] NOT NULL,
        times float8[] NOT NULL,
        lines text[] NOT NULL
      )`);
    await q.query(`CREATE INDEX text_segments_series_idx ON text_segments (series_id, first_step)`);
    await q.query(`CREATE INDEX text_segments_organization_idx ON text_segments (organization_id)`);

    // Idempotency ledger: one row per committed (stream, seq) of a run.
    await q.query(`
      CREATE TABLE run_batches (
        organization_id uuid NOT NULL,
        run_id uuid NOT NULL,
        stream_id text NOT NULL,
        seq bigint NOT NULL,
        points integer NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, stream_id, seq),
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX run_batches_organization_idx ON run_batches (organization_id)`);

    await q.query(`
      CREATE TABLE data_assets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('dataset', 'model')),
        name text NOT NULL,
        version text NOT NULL,
        uri text,
        digest text,
        size_bytes bigint,
        columns jsonb,
        preview jsonb,
        framework text,
        model_class text,
        hyperparameters jsonb,
        preprocessing jsonb,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        UNIQUE (project_id, kind, name, version),
        UNIQUE (organization_id, id)
      )`);
    await q.query(`CREATE INDEX data_assets_organization_idx ON data_assets (organization_id)`);

    await q.query(`
      CREATE TABLE run_assets (
        organization_id uuid NOT NULL,
        run_id uuid NOT NULL,
        asset_id uuid NOT NULL,
        direction text NOT NULL CHECK (direction IN ('input', 'output')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, asset_id, direction),
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, asset_id) REFERENCES data_assets(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX run_assets_asset_idx ON run_assets (asset_id, direction)`);
    await q.query(`CREATE INDEX run_assets_organization_idx ON run_assets (organization_id)`);

    await enableTenantSecurity(q, ['runs', 'series', 'series_segments', 'text_segments', 'run_batches', 'data_assets', 'run_assets']);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['run_assets', 'data_assets', 'run_batches', 'text_segments', 'series_segments', 'series', 'runs']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`ALTER TABLE projects DROP COLUMN IF EXISTS next_run_number`);
  }
}
