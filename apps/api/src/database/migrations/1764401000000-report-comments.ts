import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Comments on a report, or on one of its blocks: a comment belongs to a project (and maybe a run of it)
 * or to a report (and maybe a block of it), never both. Notifications keep pointing at comments.
 */
export class ReportComments1764401000000 implements MigrationInterface {
  name = 'ReportComments1764401000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE comments ALTER COLUMN project_id DROP NOT NULL`);
    await q.query(`ALTER TABLE comments ADD COLUMN report_id uuid, ADD COLUMN block_id text`);
    await q.query(`ALTER TABLE comments ADD CONSTRAINT comments_report_fk
      FOREIGN KEY (organization_id, report_id) REFERENCES reports(organization_id, id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE comments ADD CONSTRAINT comments_one_target CHECK (
      (project_id IS NOT NULL AND report_id IS NULL AND block_id IS NULL)
      OR (project_id IS NULL AND run_id IS NULL AND report_id IS NOT NULL))`);
    await q.query(`ALTER TABLE comments ADD CONSTRAINT comments_block_id_length CHECK (block_id IS NULL OR length(block_id) <= 64)`);
    await q.query(`CREATE INDEX comments_report_thread_idx ON comments (report_id, created_at) WHERE report_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM comments WHERE report_id IS NOT NULL`);
    await q.query(`DROP INDEX IF EXISTS comments_report_thread_idx`);
    await q.query(`ALTER TABLE comments DROP CONSTRAINT IF EXISTS comments_block_id_length`);
    await q.query(`ALTER TABLE comments DROP CONSTRAINT IF EXISTS comments_one_target`);
    await q.query(`ALTER TABLE comments DROP CONSTRAINT IF EXISTS comments_report_fk`);
    await q.query(`ALTER TABLE comments DROP COLUMN block_id, DROP COLUMN report_id`);
    await q.query(`ALTER TABLE comments ALTER COLUMN project_id SET NOT NULL`);
  }
}
