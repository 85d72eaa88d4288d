import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Reports of an organization: a draft edited in place (blocks as JSON, a
 * revision number for conflict checks), published versions that never change
 * (who published what, when, with what frozen data cutoffs), named viewers and
 * editors, and share links (only a hash of each token is kept).
 */
export class Reports1764200700000 implements MigrationInterface {
  name = 'Reports1764200700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        title text NOT NULL,
        blocks jsonb NOT NULL DEFAULT '[]',
        project_ids uuid[] NOT NULL DEFAULT '{}',
        revision integer NOT NULL DEFAULT 1,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, id)
      )`);
    await q.query(`CREATE INDEX reports_organization_idx ON reports (organization_id, updated_at DESC)`);
    await q.query(`CREATE INDEX reports_projects_idx ON reports USING gin (project_ids)`);
    await q.query(`
      CREATE TABLE report_versions (
        organization_id uuid NOT NULL,
        report_id uuid NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        title text NOT NULL,
        blocks jsonb NOT NULL,
        project_ids uuid[] NOT NULL,
        frozen jsonb NOT NULL DEFAULT '{}',
        published_by uuid REFERENCES users(id) ON DELETE SET NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (report_id, version),
        FOREIGN KEY (organization_id, report_id) REFERENCES reports(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX report_versions_organization_idx ON report_versions (organization_id)`);
    await q.query(`
      CREATE TABLE report_members (
        organization_id uuid NOT NULL,
        report_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('viewer', 'editor')),
        PRIMARY KEY (report_id, user_id),
        FOREIGN KEY (organization_id, report_id) REFERENCES reports(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX report_members_organization_idx ON report_members (organization_id)`);
    await q.query(`CREATE INDEX report_members_user_idx ON report_members (user_id)`);
    await q.query(`
      CREATE TABLE report_share_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        report_id uuid NOT NULL,
        token_hash bytea NOT NULL UNIQUE,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        FOREIGN KEY (organization_id, report_id) REFERENCES reports(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX report_share_links_organization_idx ON report_share_links (organization_id)`);
    await q.query(`CREATE INDEX report_share_links_report_idx ON report_share_links (report_id)`);
    await enableTenantSecurity(q, ['reports', 'report_versions', 'report_members', 'report_share_links']);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['report_share_links', 'report_members', 'report_versions', 'reports'])
      await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
