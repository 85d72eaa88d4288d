import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * What the W&B layer keeps beside an artifact version logged by the `wandb`
 * client: the digest the client computed (its MANIFEST_MD5 over the files'
 * MD5s, which `CreateArtifact` compares to recognise content already logged
 * before anything is uploaded) and the manifest it uploaded (each file's
 * base64 MD5 and size, which `use_artifact` and `artifact.download()` read
 * back; Trackbase addresses content by SHA-256 and keeps no MD5 of its own).
 */
export class WandbArtifactManifests1764052000000 implements MigrationInterface {
  name = 'WandbArtifactManifests1764052000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wandb_artifact_manifests (
        version_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        digest text NOT NULL,
        manifest jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (organization_id, version_id) REFERENCES artifact_versions(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX wandb_artifact_manifests_organization_idx ON wandb_artifact_manifests (organization_id)`);
    await q.query(`CREATE INDEX wandb_artifact_manifests_digest_idx ON wandb_artifact_manifests (organization_id, digest)`);
    await enableTenantSecurity(q, ['wandb_artifact_manifests']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS wandb_artifact_manifests`);
  }
}
