import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Thumbnails of media items are made by a background job, not in the batch's
 * request: an item that needs one is stored `pending`; a worker on every API
 * node claims pending items (SKIP LOCKED), decodes the content fully, stores
 * the thumbnail and marks the item `ready`, or `failed` with the reason (bytes
 * that do not decode fail at once; a store that cannot be read is retried with
 * backoff, up to a few attempts). Items already stored keep their thumbnails.
 */
export class MediaThumbnailJobs1764300100000 implements MigrationInterface {
  name = 'MediaThumbnailJobs1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE media_items
        ADD COLUMN thumbnail_state text CHECK (thumbnail_state IN ('pending', 'ready', 'failed')),
        ADD COLUMN thumbnail_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN thumbnail_error jsonb,
        ADD COLUMN thumbnail_after timestamptz`);
    await q.query(`UPDATE media_items SET thumbnail_state = 'ready' WHERE thumbnail_object_id IS NOT NULL`);
    await q.query(`CREATE INDEX media_items_thumbnail_due_idx ON media_items (thumbnail_after, id) WHERE thumbnail_state = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX media_items_thumbnail_due_idx`);
    await q.query(
      `ALTER TABLE media_items DROP COLUMN thumbnail_state, DROP COLUMN thumbnail_attempts, DROP COLUMN thumbnail_error, DROP COLUMN thumbnail_after`,
    );
  }
}
