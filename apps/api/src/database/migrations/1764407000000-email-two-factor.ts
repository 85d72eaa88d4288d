import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email and two-factor (issue 19). `users.email_verified_at`: accounts that existed before count as verified (they
 * were created without a way to verify). `account_tokens`: single-use, expiring tokens mailed to a person (email
 * verification, password reset), kept as SHA-256. `user_two_factor`: a TOTP secret sealed with SECRETS_KEY, confirmed
 * once a code matched, with the last time step accepted (replay of a code in the same step is refused);
 * `user_recovery_codes`: ten single-use codes, SHA-256. `organizations.require_two_factor`. `email_preferences`:
 * per user, off / immediate / digest for comments and runs, and when the next digest is due (claimed by one node
 * with FOR UPDATE SKIP LOCKED). These are account tables (a person spans organizations), not tenant tables.
 */
export class EmailTwoFactor1764407000000 implements MigrationInterface {
  name = 'EmailTwoFactor1764407000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz`);
    await q.query(`UPDATE users SET email_verified_at = created_at WHERE kind = 'human'`);
    await q.query(`
      CREATE TABLE account_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'two_factor')),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose)`);
    await q.query(`
      CREATE TABLE user_two_factor (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        secret_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz,
        last_time_step bigint
      )`);
    await q.query(`
      CREATE TABLE user_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash bytea NOT NULL,
        used_at timestamptz,
        UNIQUE (user_id, code_hash)
      )`);
    await q.query(`ALTER TABLE organizations ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE email_preferences (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        comments text NOT NULL DEFAULT 'immediate' CHECK (comments IN ('off', 'immediate', 'digest')),
        runs text NOT NULL DEFAULT 'off' CHECK (runs IN ('off', 'immediate', 'digest')),
        digest_due_at timestamptz,
        digest_since timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX email_preferences_digest_idx ON email_preferences (digest_due_at) WHERE digest_due_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE email_digest_items (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        category text NOT NULL CHECK (category IN ('comments', 'runs')),
        subject text NOT NULL,
        body text NOT NULL,
        link text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX email_digest_items_user_idx ON email_digest_items (user_id, id)`);
    // One email per run ending (the run's ended_at): later edits of an ended run, or a second node, send nothing.
    await q.query(`
      CREATE TABLE email_run_notices (
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        ended_at timestamptz NOT NULL,
        PRIMARY KEY (run_id, ended_at)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_run_notices`);
    await q.query(`DROP TABLE email_digest_items`);
    await q.query(`DROP TABLE email_preferences`);
    await q.query(`ALTER TABLE organizations DROP COLUMN require_two_factor`);
    await q.query(`DROP TABLE user_recovery_codes`);
    await q.query(`DROP TABLE user_two_factor`);
    await q.query(`DROP TABLE account_tokens`);
    await q.query(`ALTER TABLE users DROP COLUMN email_verified_at`);
  }
}
