import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * The runs table at scale.
 *
 * - `series.project_id`, so one index per summary (last, min, max, count),
 *   ordered within a project and metric name, lets "sort runs by a metric's
 *   max" walk the index and stop after a page, whatever the table statistics.
 *   Ingestion writes it; a trigger fills it for any other writer.
 * - `project_fields`: a catalogue of the param keys, metric and system series
 *   names and tags a project has seen, kept by triggers at ingestion, so the
 *   column picker lists 1,000 metric names without scanning the series of
 *   10,000 runs. Keys stay listed after the runs that had them are deleted.
 */
export class RunsTableColumns1764016160000 implements MigrationInterface {
  name = 'RunsTableColumns1764016160000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE series ADD COLUMN project_id uuid`);
    await q.query(`UPDATE series s SET project_id = r.project_id FROM runs r WHERE r.id = s.run_id`);
    await q.query(`
      CREATE FUNCTION series_fill_project_id() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.project_id IS NULL THEN
          SELECT r.project_id INTO NEW.project_id FROM runs r WHERE r.id = NEW.run_id;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER series_fill_project_id BEFORE INSERT ON series
        FOR EACH ROW WHEN (NEW.project_id IS NULL) EXECUTE FUNCTION series_fill_project_id()`);
    await q.query(`ALTER TABLE series ALTER COLUMN project_id SET NOT NULL`);

    await q.query(`DROP INDEX IF EXISTS series_metric_last_idx`);
    for (const [stat, column] of SORT_INDEXES) {
      await q.query(`CREATE INDEX series_metric_${stat}_idx ON series (project_id, name, ${column}, run_id) WHERE kind = 'metric'`);
    }

    await q.query(`
      CREATE TABLE project_fields (
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('param', 'metric', 'system', 'tag')),
        name text NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, kind, name),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX project_fields_organization_idx ON project_fields (organization_id)`);
    await enableTenantSecurity(q, ['project_fields']);

    // Sorted inserts with DO NOTHING: concurrent writers of the same new keys wait for each other in one order.
    await q.query(`
      CREATE FUNCTION project_fields_from_series() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO project_fields (organization_id, project_id, kind, name)
        SELECT DISTINCT organization_id, project_id, kind, name FROM inserted_series
         WHERE kind IN ('metric', 'system')
         ORDER BY project_id, kind, name
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER series_project_fields AFTER INSERT ON series
        REFERENCING NEW TABLE AS inserted_series
        FOR EACH STATEMENT EXECUTE FUNCTION project_fields_from_series()`);

    await q.query(`
      CREATE FUNCTION project_fields_from_runs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO project_fields (organization_id, project_id, kind, name)
        SELECT DISTINCT organization_id, project_id, kind, name FROM (
          SELECT r.organization_id, r.project_id, 'param' AS kind, k AS name FROM changed_runs r, jsonb_object_keys(r.params) k
          UNION ALL
          SELECT r.organization_id, r.project_id, 'tag', t FROM changed_runs r, unnest(r.tags) t
        ) f
        ORDER BY project_id, kind, name
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER runs_project_fields_insert AFTER INSERT ON runs
        REFERENCING NEW TABLE AS changed_runs
        FOR EACH STATEMENT EXECUTE FUNCTION project_fields_from_runs()`);
    // Row-level with a WHEN clause, so heartbeats and state changes never enter PL/pgSQL.
    await q.query(`
      CREATE FUNCTION project_fields_from_run_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO project_fields (organization_id, project_id, kind, name)
        SELECT NEW.organization_id, NEW.project_id, kind, name FROM (
          SELECT 'param' AS kind, k AS name FROM jsonb_object_keys(NEW.params) k
          UNION SELECT 'tag', t FROM unnest(NEW.tags) t
        ) f
        ORDER BY kind, name
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER runs_project_fields_update AFTER UPDATE OF params, tags ON runs
        FOR EACH ROW WHEN (OLD.params IS DISTINCT FROM NEW.params OR OLD.tags IS DISTINCT FROM NEW.tags)
        EXECUTE FUNCTION project_fields_from_run_row()`);

    await q.query(`
      INSERT INTO project_fields (organization_id, project_id, kind, name)
      SELECT DISTINCT organization_id, project_id, kind, name FROM (
        SELECT organization_id, project_id, kind, name FROM series WHERE kind IN ('metric', 'system')
        UNION ALL SELECT r.organization_id, r.project_id, 'param', k FROM runs r, jsonb_object_keys(r.params) k
        UNION ALL SELECT r.organization_id, r.project_id, 'tag', t FROM runs r, unnest(r.tags) t
      ) f
      ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS runs_project_fields_update ON runs`);
    await q.query(`DROP TRIGGER IF EXISTS runs_project_fields_insert ON runs`);
    await q.query(`DROP TRIGGER IF EXISTS series_project_fields ON series`);
    await q.query(`DROP FUNCTION IF EXISTS project_fields_from_run_row()`);
    await q.query(`DROP FUNCTION IF EXISTS project_fields_from_runs()`);
    await q.query(`DROP FUNCTION IF EXISTS project_fields_from_series()`);
    await q.query(`DROP TABLE IF EXISTS project_fields`);
    for (const [stat] of SORT_INDEXES) await q.query(`DROP INDEX IF EXISTS series_metric_${stat}_idx`);
    await q.query(`CREATE INDEX series_metric_last_idx ON series (name, last_value, run_id) WHERE kind = 'metric'`);
    await q.query(`DROP TRIGGER IF EXISTS series_fill_project_id ON series`);
    await q.query(`DROP FUNCTION IF EXISTS series_fill_project_id()`);
    await q.query(`ALTER TABLE series DROP COLUMN IF EXISTS project_id`);
  }
}

/** Summaries the runs table sorts by through an index; `step` sorts without one. */
const SORT_INDEXES = [
  ['last', 'last_value'],
  ['min', 'min_value'],
  ['max', 'max_value'],
  ['count', 'count'],
] as const;
