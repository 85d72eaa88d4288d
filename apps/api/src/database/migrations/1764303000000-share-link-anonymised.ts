import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anonymised share links (double-blind review): what such a link opens shows
 * no run names or keys, project slugs, or people.
 */
export class ShareLinkAnonymised1764303000000 implements MigrationInterface {
  name = 'ShareLinkAnonymised1764303000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_share_links ADD COLUMN anonymised boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_share_links DROP COLUMN anonymised`);
  }
}
