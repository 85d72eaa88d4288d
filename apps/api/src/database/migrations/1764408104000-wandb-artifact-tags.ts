import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * The tags the `wandb` client gives an artifact version (`run.log_artifact(..., tags=[...])`,
 * `artifact.tags = [...]; artifact.save()`), served back through the W&B door. One row per
 * tag of a version; W&B's tag categories and attributes are not kept (the client sends none).
 */
export class WandbArtifactTags1764408104000 implements MigrationInterface {
  name = 'WandbArtifactTags1764408104000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wandb_artifact_tags (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        version_id uuid NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, version_id, name),
        FOREIGN KEY (organization_id, version_id) REFERENCES artifact_versions(organization_id, id) ON DELETE CASCADE
      )`);
    await enableTenantSecurity(q, ['wandb_artifact_tags']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS wandb_artifact_tags`);
  }
}
