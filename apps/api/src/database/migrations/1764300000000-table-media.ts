import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Media cells of tables (columns of type image or audio). A cell holds the
 * SHA-256 of a content object of the run; this table records what the server
 * learned when a table first named it (checked type, size in pixels, duration)
 * and the thumbnail it made, so a page of rows resolves its cells in one query
 * and a table logged again never decodes the same bytes twice.
 */
export class TableMedia1764300000000 implements MigrationInterface {
  name = 'TableMedia1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE run_table_media (
        organization_id uuid NOT NULL,
        run_id uuid NOT NULL,
        sha256 text COLLATE "C" NOT NULL,
        type text NOT NULL,
        object_id uuid NOT NULL,
        thumbnail_object_id uuid,
        content_type text NOT NULL,
        width integer,
        height integer,
        duration double precision,
        sample_rate integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, sha256, type),
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, object_id) REFERENCES stored_objects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, thumbnail_object_id) REFERENCES stored_objects(organization_id, id) ON DELETE SET NULL (thumbnail_object_id)
      )`);
    await q.query(`CREATE INDEX run_table_media_organization_idx ON run_table_media (organization_id)`);
    await q.query(`CREATE INDEX run_table_media_object_idx ON run_table_media (object_id)`);
    await q.query(
      `CREATE INDEX run_table_media_thumbnail_idx ON run_table_media (thumbnail_object_id) WHERE thumbnail_object_id IS NOT NULL`,
    );
    await enableTenantSecurity(q, ['run_table_media']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE run_table_media`);
  }
}
