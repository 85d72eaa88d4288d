import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Media and tables the `wandb` client logged (history rows naming a file under
 * `media/`) whose file has not arrived yet: the client streams the row and
 * uploads the file independently, in either order. A row waits here until the
 * upload of its `path` completes, then becomes a media item or a table at its
 * key and step.
 */
export class WandbPendingMedia1764305000000 implements MigrationInterface {
  name = 'WandbPendingMedia1764305000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wandb_pending_media (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        run_id uuid NOT NULL,
        path text NOT NULL,
        ref jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX wandb_pending_media_organization_idx ON wandb_pending_media (organization_id)`);
    await q.query(`CREATE INDEX wandb_pending_media_path_idx ON wandb_pending_media (organization_id, run_id, path)`);
    await enableTenantSecurity(q, ['wandb_pending_media']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS wandb_pending_media`);
  }
}
