import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-ins per email (by SHA-256 of the normalised address, whether or not an account has
 * it, so the table says nothing about who has an account): after too many, sign-ins of that email
 * pause, from every address and on every node. Not tenant data: no organization is involved yet.
 */
export class SignInBackoff1764001900000 implements MigrationInterface {
  name = 'SignInBackoff1764001900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_in_failures (
        email_hash bytea PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        pauses integer NOT NULL DEFAULT 0,
        paused_until timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_failures`);
  }
}
