import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API key scopes: read-only keys, keys limited to one organization and, within it, to chosen projects.
 * Existing keys keep what they had (read-write, every organization of their user). A key limited to an
 * organization goes with it; a deleted project simply stops matching.
 */
export class ApiKeyScopes1764306000000 implements MigrationInterface {
  name = 'ApiKeyScopes1764306000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_keys
        ADD COLUMN read_only boolean NOT NULL DEFAULT false,
        ADD COLUMN organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
        ADD COLUMN project_ids uuid[],
        ADD CONSTRAINT api_keys_projects_need_org CHECK (project_ids IS NULL OR organization_id IS NOT NULL)`);
    await q.query(`CREATE INDEX api_keys_organization_idx ON api_keys (organization_id) WHERE organization_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX api_keys_organization_idx`);
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_projects_need_org`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN project_ids, DROP COLUMN organization_id, DROP COLUMN read_only`);
  }
}
