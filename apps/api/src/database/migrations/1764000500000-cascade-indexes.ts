import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for foreign keys that cascade: deleting a run finds its comments,
 * and deleting a comment its notifications, without scanning those tables.
 */
export class CascadeIndexes1764000500000 implements MigrationInterface {
  name = 'CascadeIndexes1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX comments_run_idx ON comments (run_id) WHERE run_id IS NOT NULL`);
    await q.query(`CREATE INDEX notifications_comment_idx ON notifications (comment_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS notifications_comment_idx`);
    await q.query(`DROP INDEX IF EXISTS comments_run_idx`);
  }
}
