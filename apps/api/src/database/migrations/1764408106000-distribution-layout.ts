import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ROLE } from '../tenant-scope';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * The layout for distributing the schema by organization (issue 20; docs/scaling.md): every primary
 * key and unique index of a tenant table starts with organization_id, and every foreign key between
 * tenant tables carries it on both sides. Asserted by database/distribution-layout.int-spec.ts.
 *
 * Tables whose key was a bare id keep a plain index on id, so jobs that look a row up by id alone
 * (outside a tenant scope) stay index scans. Indexes on organization_id alone are dropped where the
 * new primary key starts with it. Foreign keys that point at a rewritten key are dropped first and
 * re-created afterwards, the id-only ones as composite keys.
 */

/** The series trigger that fills a row's project from its run (1764016160000), finding the run by `where`. */
const seriesFillProjectId = (where: string) => `
  CREATE OR REPLACE FUNCTION series_fill_project_id() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.project_id IS NULL THEN
      SELECT r.project_id INTO NEW.project_id FROM runs r WHERE ${where};
    END IF;
    RETURN NEW;
  END $$`;

/** Drops every foreign key that points at a table whose keys this migration rewrites (they depend on those keys' indexes), returning them to re-create. */
async function dropReferencingForeignKeys(q: QueryRunner): Promise<Array<{ table: string; name: string; definition: string }>> {
  const tables = [...new Set([...PRIMARY_KEYS.map(([t]) => t), ...UNIQUE_CONSTRAINTS.map(([t]) => t)])];
  const referencing: Array<{ table: string; name: string; definition: string }> = await q.query(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE contype = 'f' AND confrelid::regclass::text = ANY ($1) ORDER BY 1, 2`,
    [tables],
  );
  for (const k of referencing) await q.query(`ALTER TABLE ${k.table} DROP CONSTRAINT ${k.name}`);
  return referencing;
}

/** New primary keys, every one starting with organization_id. */
const PRIMARY_KEYS: Array<[table: string, columns: string]> = [
  ['projects', 'id'],
  ['runs', 'id'],
  ['series', 'id'],
  ['series_segments', 'id'],
  ['text_segments', 'id'],
  ['artifacts', 'id'],
  ['artifact_versions', 'id'],
  ['audit_entries', 'id'],
  ['comments', 'id'],
  ['data_assets', 'id'],
  ['media_items', 'id'],
  ['mlflow_logged_models', 'id'],
  ['notifications', 'id'],
  ['readme_versions', 'id'],
  ['report_share_links', 'id'],
  ['reports', 'id'],
  ['run_tables', 'id'],
  ['saved_views', 'id'],
  ['scim_groups', 'id'],
  ['storage_deletions', 'id'],
  ['stored_objects', 'id'],
  ['wandb_pending_media', 'id'],
  ['artifact_aliases', 'artifact_id, alias'],
  ['artifact_files', 'version_id, path'],
  ['artifact_usages', 'version_id, run_id'],
  ['media_masks', 'item_id, name'],
  ['mlflow_experiments', 'project_id'],
  ['mlflow_model_versions', 'project_id, name, version'],
  ['mlflow_registered_models', 'project_id, name'],
  ['mlflow_runs', 'run_id'],
  ['project_fields', 'project_id, kind, name'],
  ['project_members', 'project_id, user_id'],
  ['report_members', 'report_id, user_id'],
  ['report_versions', 'report_id, version'],
  ['retention_policies', 'project_id'],
  ['run_assets', 'run_id, asset_id, direction'],
  ['run_batches', 'run_id, stream_id, seq'],
  ['run_files', 'run_id, path'],
  ['run_table_media', 'run_id, sha256, type'],
  ['saved_view_defaults', 'project_id, user_id'],
  ['scim_group_members', 'group_id, user_id'],
  ['upload_parts', 'object_id, part_number'],
  ['wandb_artifact_manifests', 'version_id'],
  ['wandb_runs', 'run_id'],
];

/** Unique constraints, re-created with organization_id first under the same name. */
const UNIQUE_CONSTRAINTS: Array<[table: string, name: string, columns: string]> = [
  ['artifact_versions', 'artifact_versions_artifact_id_number_key', 'artifact_id, number'],
  ['data_assets', 'data_assets_project_id_kind_name_version_key', 'project_id, kind, name, version'],
  ['media_items', 'media_items_run_id_key_step_idx_key', 'run_id, key, step, idx'],
  ['notifications', 'notifications_user_id_comment_id_kind_key', 'user_id, comment_id, kind'],
  ['report_share_links', 'report_share_links_token_hash_key', 'token_hash'],
  ['run_tables', 'run_tables_run_id_key_step_key', 'run_id, key, step'],
  ['runs', 'runs_project_id_external_id_key', 'project_id, external_id'],
  ['runs', 'runs_project_id_number_key', 'project_id, number'],
  ['series', 'series_run_id_kind_name_key', 'run_id, kind, name'],
  ['stored_objects', 'stored_objects_key_key', 'key'],
];

/** Unique indexes (partial or on expressions), re-created with organization_id first. */
const UNIQUE_INDEXES: Array<[name: string, definition: string]> = [
  ['artifact_versions_digest_idx', `artifact_versions (organization_id, artifact_id, digest) WHERE state = 'committed'`],
  ['artifacts_live_name_idx', `artifacts (organization_id, project_id, name) WHERE deleted_at IS NULL`],
  ['readme_versions_target_idx', `readme_versions (organization_id, project_id, COALESCE(run_id, artifact_id, project_id), version)`],
  ['saved_views_shared_name_idx', `saved_views (organization_id, project_id, lower(name)) WHERE visibility = 'project'`],
  ['saved_views_personal_name_idx', `saved_views (organization_id, project_id, owner_id, lower(name)) WHERE visibility = 'personal'`],
  ['saved_views_project_default_idx', `saved_views (organization_id, project_id) WHERE project_default`],
];

/** Foreign keys between tenant tables that did not carry organization_id. */
const COMPOSITE_FOREIGN_KEYS: Array<[table: string, name: string, definition: string]> = [
  [
    'comments',
    'comments_parent_id_fkey',
    'FOREIGN KEY (organization_id, parent_id) REFERENCES comments (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'media_masks',
    'media_masks_item_id_fkey',
    'FOREIGN KEY (organization_id, item_id) REFERENCES media_items (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'mlflow_experiments',
    'mlflow_experiments_project_id_fkey',
    'FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'mlflow_logged_models',
    'mlflow_logged_models_project_id_fkey',
    'FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'mlflow_logged_models',
    'mlflow_logged_models_source_run_id_fkey',
    'FOREIGN KEY (organization_id, source_run_id) REFERENCES runs (organization_id, id) ON DELETE SET NULL (source_run_id)',
  ],
  [
    'mlflow_model_versions',
    'mlflow_model_versions_project_id_name_fkey',
    'FOREIGN KEY (organization_id, project_id, name) REFERENCES mlflow_registered_models (organization_id, project_id, name) ON UPDATE CASCADE ON DELETE CASCADE',
  ],
  [
    'mlflow_registered_models',
    'mlflow_registered_models_project_id_fkey',
    'FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'mlflow_runs',
    'mlflow_runs_parent_run_id_fkey',
    'FOREIGN KEY (organization_id, parent_run_id) REFERENCES runs (organization_id, id) ON DELETE SET NULL (parent_run_id)',
  ],
  [
    'mlflow_runs',
    'mlflow_runs_run_id_fkey',
    'FOREIGN KEY (organization_id, run_id) REFERENCES runs (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'notifications',
    'notifications_comment_id_fkey',
    'FOREIGN KEY (organization_id, comment_id) REFERENCES comments (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'retention_policies',
    'retention_policies_project_id_fkey',
    'FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'runs',
    'runs_fork_parent_id_fkey',
    'FOREIGN KEY (organization_id, fork_parent_id) REFERENCES runs (organization_id, id) ON DELETE SET NULL (fork_parent_id)',
  ],
  [
    'scim_group_members',
    'scim_group_members_group_id_fkey',
    'FOREIGN KEY (organization_id, group_id) REFERENCES scim_groups (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'series_segments',
    'series_segments_series_id_fkey',
    'FOREIGN KEY (organization_id, series_id) REFERENCES series (organization_id, id) ON DELETE CASCADE',
  ],
  [
    'text_segments',
    'text_segments_series_id_fkey',
    'FOREIGN KEY (organization_id, series_id) REFERENCES series (organization_id, id) ON DELETE CASCADE',
  ],
];

/**
 * Tables whose rows are probed by (organization_id, id) on hot read paths: a second index on id
 * alone would win those probes only once statistics exist, so plans would change after ANALYZE.
 */
const NO_ID_INDEX = new Set(['runs']);

/** Lookups that do not know the organization yet, served before by the unique index. */
const LOOKUP_INDEXES: Array<[name: string, definition: string]> = [
  ['report_share_links_token_hash_idx', 'report_share_links (token_hash)'],
  ['stored_objects_key_idx', 'stored_objects (key)'],
];

export class DistributionLayout1764408106000 implements MigrationInterface {
  name = 'DistributionLayout1764408106000';

  async up(q: QueryRunner): Promise<void> {
    // email_run_notices pointed at runs without an organization: it becomes a tenant table.
    await q.query(`ALTER TABLE email_run_notices ADD COLUMN organization_id uuid`);
    await q.query(`UPDATE email_run_notices n SET organization_id = r.organization_id FROM runs r WHERE r.id = n.run_id`);
    await q.query(`ALTER TABLE email_run_notices ALTER COLUMN organization_id SET NOT NULL`);
    await q.query(`ALTER TABLE email_run_notices DROP CONSTRAINT email_run_notices_run_id_fkey`);
    await q.query(`ALTER TABLE email_run_notices DROP CONSTRAINT email_run_notices_pkey`);
    await q.query(`ALTER TABLE email_run_notices ADD PRIMARY KEY (organization_id, run_id, ended_at)`);
    await q.query(
      `ALTER TABLE email_run_notices ADD CONSTRAINT email_run_notices_run_id_fkey
         FOREIGN KEY (organization_id, run_id) REFERENCES runs (organization_id, id) ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE email_run_notices ADD CONSTRAINT email_run_notices_organization_id_fkey
         FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE CASCADE`,
    );
    await enableTenantSecurity(q, ['email_run_notices']);

    // Every foreign key that points at a key rewritten below depends on its index: set them aside.
    const referencing = await dropReferencingForeignKeys(q);

    for (const [table, columns] of PRIMARY_KEYS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_organization_id_id_key`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (organization_id, ${columns})`);
      if (columns === 'id' && !NO_ID_INDEX.has(table)) await q.query(`CREATE INDEX ${table}_id_idx ON ${table} (id)`);
      await q.query(`DROP INDEX IF EXISTS ${table}_organization_idx, ${table}_org_idx`);
    }
    for (const [table, name, columns] of UNIQUE_CONSTRAINTS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${name} UNIQUE (organization_id, ${columns})`);
    }
    for (const [name, definition] of UNIQUE_INDEXES) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE UNIQUE INDEX ${name} ON ${definition}`);
    }
    for (const [name, definition] of LOOKUP_INDEXES) await q.query(`CREATE INDEX ${name} ON ${definition}`);

    const composite = new Map(COMPOSITE_FOREIGN_KEYS.map(([table, name, definition]) => [`${table}.${name}`, definition]));
    for (const k of referencing) {
      const definition = composite.get(`${k.table}.${k.name}`) ?? k.definition;
      composite.delete(`${k.table}.${k.name}`);
      await q.query(`ALTER TABLE ${k.table} ADD CONSTRAINT ${k.name} ${definition}`);
    }
    if (composite.size > 0) throw new Error(`foreign keys not found: ${[...composite.keys()].join(', ')}`);
    // runs keeps no index on id alone: the series trigger finds a run by its whole key.
    await q.query(seriesFillProjectId('r.organization_id = NEW.organization_id AND r.id = NEW.run_id'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(seriesFillProjectId('r.id = NEW.run_id'));
    const referencing = await dropReferencingForeignKeys(q);
    for (const [name] of LOOKUP_INDEXES) await q.query(`DROP INDEX ${name}`);
    for (const [name, definition] of UNIQUE_INDEXES) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE UNIQUE INDEX ${name} ON ${definition.replace('(organization_id, ', '(')}`);
    }
    for (const [table, name, columns] of UNIQUE_CONSTRAINTS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${name} UNIQUE (${columns})`);
    }
    for (const [table, columns] of PRIMARY_KEYS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (${columns})`);
      await q.query(`DROP INDEX IF EXISTS ${table}_id_idx`);
      await q.query(`CREATE INDEX ${table}_organization_idx ON ${table} (organization_id)`);
      if (columns === 'id')
        await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_organization_id_id_key UNIQUE (organization_id, id)`);
    }
    const simple = new Map(COMPOSITE_FOREIGN_KEYS.map(([table, name, definition]) => [`${table}.${name}`, definition]));
    for (const k of referencing) {
      const definition = simple.has(`${k.table}.${k.name}`)
        ? k.definition.replace(/\(organization_id, /g, '(').replace(/ SET NULL \([a-z_]+\)/, ' SET NULL')
        : k.definition;
      await q.query(`ALTER TABLE ${k.table} ADD CONSTRAINT ${k.name} ${definition}`);
    }
    await q.query(`DROP POLICY email_run_notices_tenant ON email_run_notices`);
    await q.query(`ALTER TABLE email_run_notices DISABLE ROW LEVEL SECURITY`);
    await q.query(`REVOKE ALL ON email_run_notices FROM ${TENANT_ROLE}`);
    await q.query(`ALTER TABLE email_run_notices DROP CONSTRAINT email_run_notices_organization_id_fkey`);
    await q.query(`ALTER TABLE email_run_notices DROP CONSTRAINT email_run_notices_run_id_fkey`);
    await q.query(`ALTER TABLE email_run_notices DROP CONSTRAINT email_run_notices_pkey`);
    await q.query(`ALTER TABLE email_run_notices DROP COLUMN organization_id`);
    await q.query(`ALTER TABLE email_run_notices ADD PRIMARY KEY (run_id, ended_at)`);
    await q.query(
      `ALTER TABLE email_run_notices ADD CONSTRAINT email_run_notices_run_id_fkey FOREIGN KEY (run_id) REFERENCES runs (id) ON DELETE CASCADE`,
    );
  }
}
