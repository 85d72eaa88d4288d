import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * W&B links (`run.link_artifact`, `artifact.link`: registries and portfolios): a committed version
 * linked into a collection of another name (the portfolio) in a project of the same organization,
 * numbered there from 0 in link order, with the link's own aliases. The version is not copied: a
 * link names it. Kept by the W&B layer only (Trackbase's API and web app do not show links).
 */
export class WandbArtifactLinks1764408108000 implements MigrationInterface {
  name = 'WandbArtifactLinks1764408108000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wandb_artifact_links (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        project_id uuid NOT NULL,
        portfolio text NOT NULL,
        link_index integer NOT NULL,
        version_id uuid NOT NULL,
        aliases text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, project_id, portfolio, link_index),
        UNIQUE (organization_id, project_id, portfolio, version_id),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, version_id) REFERENCES artifact_versions(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX wandb_artifact_links_version_idx ON wandb_artifact_links (organization_id, version_id)`);
    await enableTenantSecurity(q, ['wandb_artifact_links']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS wandb_artifact_links`);
  }
}
