import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Stored files and versioned artifacts.
 *
 * `stored_objects` has one row per object in the store, owned by a run or an
 * artifact and addressed by content inside that owner. Two statement-level
 * triggers keep the store honest whatever deletes the rows (a run, a project,
 * an organization, a version, an expired upload): every deleted row enqueues
 * its object in `storage_deletions` for the janitor, and each organization's
 * usage counter moves by the declared sizes, so quota checks never scan.
 */
export class Artifacts1764000400000 implements MigrationInterface {
  name = 'Artifacts1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organization_storage (
        organization_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        used_bytes bigint NOT NULL DEFAULT 0,
        quota_bytes bigint CHECK (quota_bytes >= 0)
      )`);

    await q.query(`
      CREATE TABLE artifacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        description text NOT NULL DEFAULT '',
        next_version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        UNIQUE (project_id, name),
        UNIQUE (organization_id, id)
      )`);
    await q.query(`CREATE INDEX artifacts_organization_idx ON artifacts (organization_id)`);

    await q.query(`
      CREATE TABLE stored_objects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        project_id uuid NOT NULL,
        run_id uuid,
        artifact_id uuid,
        key text COLLATE "C" NOT NULL UNIQUE,
        sha256 text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        content_type text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'available')),
        multipart_upload_id text,
        part_size bigint NOT NULL,
        part_count integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Last sign of life of a pending upload; abandoned ones expire from here.
        touched_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CHECK ((run_id IS NULL) <> (artifact_id IS NULL)),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, artifact_id) REFERENCES artifacts(organization_id, id) ON DELETE CASCADE,
        UNIQUE (organization_id, id)
      )`);
    await q.query(`CREATE INDEX stored_objects_organization_idx ON stored_objects (organization_id)`);
    await q.query(`CREATE INDEX stored_objects_project_idx ON stored_objects (project_id)`);
    await q.query(`CREATE INDEX stored_objects_run_idx ON stored_objects (run_id) WHERE run_id IS NOT NULL`);
    await q.query(`CREATE INDEX stored_objects_artifact_idx ON stored_objects (artifact_id) WHERE artifact_id IS NOT NULL`);
    await q.query(`CREATE INDEX stored_objects_pending_idx ON stored_objects (touched_at) WHERE state = 'pending'`);

    await q.query(`
      CREATE TABLE upload_parts (
        organization_id uuid NOT NULL,
        object_id uuid NOT NULL,
        part_number integer NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
        etag text NOT NULL,
        size bigint NOT NULL,
        PRIMARY KEY (object_id, part_number),
        FOREIGN KEY (organization_id, object_id) REFERENCES stored_objects(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX upload_parts_organization_idx ON upload_parts (organization_id)`);

    // C collation: byte order, so "files under a/" is an index range scan.
    await q.query(`
      CREATE TABLE run_files (
        organization_id uuid NOT NULL,
        run_id uuid NOT NULL,
        path text COLLATE "C" NOT NULL,
        object_id uuid NOT NULL,
        -- New content for this path while it uploads; the old content stays readable until then.
        pending_object_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, path),
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, object_id) REFERENCES stored_objects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, pending_object_id) REFERENCES stored_objects(organization_id, id) ON DELETE SET NULL (pending_object_id)
      )`);
    await q.query(`CREATE INDEX run_files_organization_idx ON run_files (organization_id)`);
    await q.query(`CREATE INDEX run_files_object_idx ON run_files (object_id)`);
    await q.query(`CREATE INDEX run_files_pending_object_idx ON run_files (pending_object_id) WHERE pending_object_id IS NOT NULL`);
    // When replacement content becomes available it takes the path's place; the old content goes unless another path holds it.
    await q.query(`
      CREATE FUNCTION run_files_promote() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE replaced uuid[];
      BEGIN
        WITH promoted AS (
          UPDATE run_files f SET object_id = f.pending_object_id, pending_object_id = NULL, created_at = now()
            FROM run_files prev WHERE f.run_id = prev.run_id AND f.path = prev.path AND f.pending_object_id = NEW.id
          RETURNING prev.object_id)
        SELECT array_agg(object_id) INTO replaced FROM promoted;
        DELETE FROM stored_objects o WHERE o.id = ANY(replaced)
           AND NOT EXISTS (SELECT 1 FROM run_files r WHERE r.object_id = o.id OR r.pending_object_id = o.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER stored_objects_available AFTER UPDATE OF state ON stored_objects
        FOR EACH ROW WHEN (OLD.state = 'pending' AND NEW.state = 'available') EXECUTE FUNCTION run_files_promote()`);

    await q.query(`
      CREATE TABLE artifact_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        artifact_id uuid NOT NULL,
        number integer,
        state text NOT NULL CHECK (state IN ('draft', 'committed')),
        digest text NOT NULL,
        description text NOT NULL DEFAULT '',
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        reference_uri text,
        reference_digest text,
        reference_size bigint,
        file_count integer NOT NULL DEFAULT 0,
        size_bytes bigint NOT NULL DEFAULT 0,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        producer_run_id uuid,
        -- Aliases asked for when the draft was created, applied when it is committed.
        requested_aliases text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        committed_at timestamptz,
        CHECK ((state = 'committed') = (number IS NOT NULL)),
        FOREIGN KEY (organization_id, artifact_id) REFERENCES artifacts(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, producer_run_id) REFERENCES runs(organization_id, id) ON DELETE SET NULL (producer_run_id),
        UNIQUE (artifact_id, number),
        UNIQUE (organization_id, id)
      )`);
    // Identical content is one version, even when two clients commit it at once.
    await q.query(`CREATE UNIQUE INDEX artifact_versions_digest_idx ON artifact_versions (artifact_id, digest) WHERE state = 'committed'`);
    await q.query(`CREATE INDEX artifact_versions_organization_idx ON artifact_versions (organization_id)`);
    await q.query(`CREATE INDEX artifact_versions_producer_idx ON artifact_versions (producer_run_id) WHERE producer_run_id IS NOT NULL`);
    await q.query(`CREATE INDEX artifact_versions_drafts_idx ON artifact_versions (created_at) WHERE state = 'draft'`);

    await q.query(`
      CREATE TABLE artifact_files (
        organization_id uuid NOT NULL,
        version_id uuid NOT NULL,
        path text COLLATE "C" NOT NULL,
        object_id uuid NOT NULL,
        PRIMARY KEY (version_id, path),
        FOREIGN KEY (organization_id, version_id) REFERENCES artifact_versions(organization_id, id) ON DELETE CASCADE,
        -- Objects are deleted only when no version holds them, or with their whole project: the cascade
        -- spares a project deletion from racing its own artifact_files rows.
        FOREIGN KEY (organization_id, object_id) REFERENCES stored_objects(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX artifact_files_organization_idx ON artifact_files (organization_id)`);
    await q.query(`CREATE INDEX artifact_files_object_idx ON artifact_files (object_id)`);

    await q.query(`
      CREATE TABLE artifact_aliases (
        organization_id uuid NOT NULL,
        artifact_id uuid NOT NULL,
        alias text NOT NULL,
        version_id uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (artifact_id, alias),
        FOREIGN KEY (organization_id, artifact_id) REFERENCES artifacts(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, version_id) REFERENCES artifact_versions(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX artifact_aliases_organization_idx ON artifact_aliases (organization_id)`);
    await q.query(`CREATE INDEX artifact_aliases_version_idx ON artifact_aliases (version_id)`);

    await q.query(`
      CREATE TABLE artifact_usages (
        organization_id uuid NOT NULL,
        version_id uuid NOT NULL,
        run_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (version_id, run_id),
        FOREIGN KEY (organization_id, version_id) REFERENCES artifact_versions(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX artifact_usages_run_idx ON artifact_usages (run_id)`);
    await q.query(`CREATE INDEX artifact_usages_organization_idx ON artifact_usages (organization_id)`);

    // Outlives its organization on purpose: the objects must go even when every row naming them is gone.
    await q.query(`
      CREATE TABLE storage_deletions (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL,
        key text NOT NULL,
        multipart_upload_id text,
        attempts integer NOT NULL DEFAULT 0,
        not_before timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX storage_deletions_due_idx ON storage_deletions (not_before)`);

    // SECURITY DEFINER: cascades and tenant-scoped deletes alike may enqueue and count.
    await q.query(`
      CREATE FUNCTION stored_objects_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      BEGIN
        INSERT INTO storage_deletions (organization_id, key, multipart_upload_id)
          SELECT organization_id, key, CASE WHEN state = 'pending' THEN multipart_upload_id END FROM gone;
        UPDATE organization_storage s SET used_bytes = s.used_bytes - d.bytes
          FROM (SELECT organization_id, sum(size) AS bytes FROM gone GROUP BY organization_id) d
         WHERE s.organization_id = d.organization_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER stored_objects_deleted AFTER DELETE ON stored_objects
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION stored_objects_deleted()`);
    await q.query(`
      CREATE FUNCTION stored_objects_inserted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      BEGIN
        INSERT INTO organization_storage AS s (organization_id, used_bytes)
          SELECT organization_id, sum(size) FROM added GROUP BY organization_id
          ON CONFLICT (organization_id) DO UPDATE SET used_bytes = s.used_bytes + EXCLUDED.used_bytes;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER stored_objects_inserted AFTER INSERT ON stored_objects
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stored_objects_inserted()`);

    await enableTenantSecurity(q, [
      'organization_storage',
      'artifacts',
      'stored_objects',
      'upload_parts',
      'run_files',
      'artifact_versions',
      'artifact_files',
      'artifact_aliases',
      'artifact_usages',
      'storage_deletions',
    ]);

    // Lineage reads one edge list: datasets and models a batch named, and stored artifact versions.
    await q.query(`
      CREATE VIEW lineage_edges WITH (security_invoker = true) AS
        SELECT organization_id, 'asset:' || asset_id AS node, run_id, direction FROM run_assets
        UNION ALL
        SELECT organization_id, 'artifact:' || id, producer_run_id, 'output' FROM artifact_versions
         WHERE producer_run_id IS NOT NULL AND state = 'committed'
        UNION ALL
        SELECT organization_id, 'artifact:' || version_id, run_id, 'input' FROM artifact_usages`);
    await q.query(`GRANT SELECT ON lineage_edges TO trackbase_tenant`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW IF EXISTS lineage_edges`);
    for (const table of [
      'artifact_usages',
      'artifact_aliases',
      'artifact_files',
      'artifact_versions',
      'run_files',
      'upload_parts',
      'stored_objects',
      'artifacts',
      'storage_deletions',
      'organization_storage',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS stored_objects_deleted()`);
    await q.query(`DROP FUNCTION IF EXISTS stored_objects_inserted()`);
    await q.query(`DROP FUNCTION IF EXISTS run_files_promote()`);
  }
}
