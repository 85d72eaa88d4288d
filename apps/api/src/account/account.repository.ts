import { Injectable } from '@nestjs/common';
import type { EmailMode } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

type Db = Pick<EntityManager, 'query'>;
export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'two_factor';

export interface TwoFactorRow {
  secret_sealed: string;
  confirmed_at: Date | null;
  last_time_step: string | null;
}

export interface EmailPreferencesRow {
  comments: EmailMode;
  runs: EmailMode;
}

export interface DueDigestRow {
  user_id: string;
  email: string;
  digest_since: Date;
}

export interface DigestItemRow {
  id: string;
  category: 'comments' | 'runs';
  subject: string;
  body: string;
  link: string;
}

/**
 * The SQL of a person's account: mailed single-use tokens, two-factor secrets and recovery codes, email preferences
 * and digests. Account rows belong to a user, not an organization: these run in system scope.
 */
@Injectable()
export class AccountRepository {
  async insertToken(db: Db, userId: string, purpose: AccountTokenPurpose, hash: Buffer, ttlSeconds: number): Promise<void> {
    await db.query(
      `INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [userId, purpose, hash, ttlSeconds],
    );
  }

  /** Uses the token: its user when it was live (unused, unexpired, of that purpose), at most once. */
  async consumeToken(db: Db, purpose: AccountTokenPurpose, hash: Buffer): Promise<string | null> {
    const rows = await queryRows<{ user_id: string }>(
      db,
      `UPDATE account_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
      [hash, purpose],
    );
    return rows[0]?.user_id ?? null;
  }

  /** The live token's user, without using it. */
  async peekToken(db: Db, purpose: AccountTokenPurpose, hash: Buffer): Promise<string | null> {
    const rows: Array<{ user_id: string }> = await db.query(
      `SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
      [hash, purpose],
    );
    return rows[0]?.user_id ?? null;
  }

  /** Ends every other live token of the user for that purpose (a new reset link voids the older ones). */
  async voidTokens(db: Db, userId: string, purpose: AccountTokenPurpose): Promise<void> {
    await db.query(`UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [userId, purpose]);
  }

  /** Forgets tokens a day after they expired (used or not); answers how many. */
  async purgeExpiredTokens(db: Db): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      db,
      `DELETE FROM account_tokens WHERE expires_at < now() - interval '1 day' RETURNING id`,
      [],
    );
    return rows.length;
  }

  async humanByEmail(db: Db, email: string): Promise<{ id: string; email: string; name: string; verified: boolean } | undefined> {
    const rows: Array<{ id: string; email: string; name: string; verified: boolean }> = await db.query(
      `SELECT id, email, name, email_verified_at IS NOT NULL AS verified FROM users WHERE lower(email) = lower($1) AND kind = 'human'`,
      [email.trim()],
    );
    return rows[0];
  }

  async human(db: Db, userId: string): Promise<{ id: string; email: string | null; name: string; verified: boolean } | undefined> {
    const rows: Array<{ id: string; email: string | null; name: string; verified: boolean }> = await db.query(
      `SELECT id, email, name, email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1 AND kind = 'human'`,
      [userId],
    );
    return rows[0];
  }

  async markVerified(db: Db, userId: string): Promise<void> {
    await db.query(`UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1`, [userId]);
  }

  async setPassword(db: Db, userId: string, passwordHash: string): Promise<void> {
    await db.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [userId, passwordHash]);
  }

  /** Revokes every live session of the user; answers their ids. */
  async revokeSessions(db: Db, userId: string, reason: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
      [userId, reason],
    );
    return rows.map((r) => r.id);
  }

  async organizationsOf(db: Db, userId: string): Promise<string[]> {
    const rows: Array<{ organization_id: string }> = await db.query(`SELECT organization_id FROM org_members WHERE user_id = $1`, [userId]);
    return rows.map((r) => r.organization_id);
  }

  // Two-factor

  async twoFactor(db: Db, userId: string, lock = false): Promise<TwoFactorRow | undefined> {
    const rows: TwoFactorRow[] = await db.query(
      `SELECT secret_sealed, confirmed_at, last_time_step FROM user_two_factor WHERE user_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [userId],
    );
    return rows[0];
  }

  async twoFactorEnabled(db: Db, userId: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM user_two_factor WHERE user_id = $1 AND confirmed_at IS NOT NULL`, [userId]);
    return rows.length > 0;
  }

  /** A new, unconfirmed secret replaces an earlier unconfirmed one; a confirmed one is never replaced here. */
  async startEnrolment(db: Db, userId: string, sealed: string): Promise<boolean> {
    const rows = await queryRows<{ user_id: string }>(
      db,
      `INSERT INTO user_two_factor (user_id, secret_sealed) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = now(), last_time_step = NULL
         WHERE user_two_factor.confirmed_at IS NULL
       RETURNING user_id`,
      [userId, sealed],
    );
    return rows.length > 0;
  }

  /** Records the time step of an accepted code; false when that step (or a later one) was already used. */
  async acceptTimeStep(db: Db, userId: string, timeStep: number, confirm: boolean): Promise<boolean> {
    const rows = await queryRows<{ user_id: string }>(
      db,
      `UPDATE user_two_factor SET last_time_step = $2${confirm ? ', confirmed_at = now()' : ''}
        WHERE user_id = $1 AND (last_time_step IS NULL OR last_time_step < $2) RETURNING user_id`,
      [userId, timeStep],
    );
    return rows.length > 0;
  }

  async disableTwoFactor(db: Db, userId: string): Promise<void> {
    await db.query(`DELETE FROM user_two_factor WHERE user_id = $1`, [userId]);
    await db.query(`DELETE FROM user_recovery_codes WHERE user_id = $1`, [userId]);
  }

  async replaceRecoveryCodes(db: Db, userId: string, hashes: Buffer[]): Promise<void> {
    await db.query(`DELETE FROM user_recovery_codes WHERE user_id = $1`, [userId]);
    await db.query(`INSERT INTO user_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])`, [userId, hashes]);
  }

  /** Uses one recovery code; false when it is not one of the user's unused codes. */
  async useRecoveryCode(db: Db, userId: string, hash: Buffer): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE user_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
      [userId, hash],
    );
    return rows.length > 0;
  }

  async recoveryCodesLeft(db: Db, userId: string): Promise<number> {
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL`, [
      userId,
    ]);
    return count;
  }

  async setOrgRequiresTwoFactor(db: Db, organizationId: string, required: boolean): Promise<void> {
    await db.query(`UPDATE organizations SET require_two_factor = $2 WHERE id = $1`, [organizationId, required]);
  }

  async orgRequiresTwoFactor(db: Db, organizationId: string): Promise<boolean> {
    const rows: Array<{ require_two_factor: boolean }> = await db.query(`SELECT require_two_factor FROM organizations WHERE id = $1`, [
      organizationId,
    ]);
    return rows[0]?.require_two_factor ?? false;
  }

  // Email preferences and digests

  async preferences(db: Db, userId: string): Promise<EmailPreferencesRow> {
    const rows: EmailPreferencesRow[] = await db.query(`SELECT comments, runs FROM email_preferences WHERE user_id = $1`, [userId]);
    return rows[0] ?? { comments: 'immediate', runs: 'off' };
  }

  /** Saves the preferences; a digest, once chosen, is due a day after the change (the first covers that day). */
  async savePreferences(db: Db, userId: string, prefs: EmailPreferencesRow): Promise<void> {
    await db.query(
      `INSERT INTO email_preferences AS p (user_id, comments, runs, digest_due_at)
       VALUES ($1, $2, $3, CASE WHEN $2 = 'digest' OR $3 = 'digest' THEN now() + interval '1 day' END)
       ON CONFLICT (user_id) DO UPDATE SET comments = EXCLUDED.comments, runs = EXCLUDED.runs, updated_at = now(),
         digest_due_at = CASE WHEN EXCLUDED.comments = 'digest' OR EXCLUDED.runs = 'digest'
           THEN coalesce(p.digest_due_at, now() + interval '1 day') END`,
      [userId, prefs.comments, prefs.runs],
    );
  }

  /** Recipients with their mode for a category, verified emails only. */
  async recipients(
    db: Db,
    userIds: string[],
    category: 'comments' | 'runs',
  ): Promise<Array<{ user_id: string; email: string; mode: EmailMode }>> {
    const fallback = category === 'comments' ? 'immediate' : 'off';
    return db.query(
      `SELECT u.id AS user_id, u.email, coalesce(p.${category === 'comments' ? 'comments' : 'runs'}, '${fallback}') AS mode
         FROM users u LEFT JOIN email_preferences p ON p.user_id = u.id
        WHERE u.id = ANY($1::uuid[]) AND u.kind = 'human' AND u.email IS NOT NULL AND u.email_verified_at IS NOT NULL`,
      [userIds],
    );
  }

  async addDigestItem(
    db: Db,
    userId: string,
    category: 'comments' | 'runs',
    item: { subject: string; body: string; link: string },
  ): Promise<void> {
    await db.query(`INSERT INTO email_digest_items (user_id, category, subject, body, link) VALUES ($1, $2, $3, $4, $5)`, [
      userId,
      category,
      item.subject,
      item.body,
      item.link,
    ]);
  }

  /**
   * Claims due digests: rows locked FOR UPDATE SKIP LOCKED, so each node takes different users and none sends one
   * twice; the caller moves `digest_due_at` on inside the same transaction.
   */
  claimDueDigests(db: Db, limit: number): Promise<DueDigestRow[]> {
    return db.query(
      `SELECT p.user_id, u.email, p.digest_since FROM email_preferences p JOIN users u ON u.id = p.user_id
        WHERE p.digest_due_at <= now() AND u.email IS NOT NULL
        ORDER BY p.digest_due_at LIMIT $1 FOR UPDATE OF p SKIP LOCKED`,
      [limit],
    );
  }

  /** Takes the user's pending digest items (removed in the claiming transaction). */
  takeDigestItems(db: Db, userId: string): Promise<DigestItemRow[]> {
    return queryRows<DigestItemRow>(
      db,
      `DELETE FROM email_digest_items WHERE user_id = $1 RETURNING id::text, category, subject, body, link`,
      [userId],
    );
  }

  async digestSent(db: Db, userId: string): Promise<void> {
    await db.query(
      `UPDATE email_preferences SET digest_since = now(), digest_due_at = CASE WHEN comments = 'digest' OR runs = 'digest'
         THEN greatest(digest_due_at + interval '1 day', now() + interval '1 hour') END WHERE user_id = $1`,
      [userId],
    );
  }

  /** Turns a category off (one-click unsubscribe). */
  async unsubscribe(db: Db, userId: string, category: 'comments' | 'runs'): Promise<void> {
    const current = await this.preferences(db, userId);
    await this.savePreferences(db, userId, { ...current, [category]: 'off' });
  }

  /**
   * A run that ended (finished, failed, crashed), its creator and where it lives, the first time this ending is seen;
   * undefined when it is not ended, was already announced, or its creator is no longer a member.
   */
  async claimRunEnding(
    db: Db,
    organizationId: string,
    runId: string,
  ): Promise<{ user_id: string; state: string; name: string; number: number; project_slug: string; org_slug: string } | undefined> {
    const rows = await queryRows<{ user_id: string; state: string; name: string; number: number; project_slug: string; org_slug: string }>(
      db,
      `WITH ended AS (
         SELECT r.id, r.organization_id, r.ended_at, r.created_by AS user_id, r.state, r.name, r.number, p.slug AS project_slug, o.slug AS org_slug
           FROM runs r JOIN projects p ON p.id = r.project_id JOIN organizations o ON o.id = r.organization_id
          WHERE r.organization_id = $1 AND r.id = $2 AND r.state IN ('finished', 'failed', 'crashed') AND r.ended_at IS NOT NULL AND r.created_by IS NOT NULL
            AND EXISTS (SELECT 1 FROM org_members m WHERE m.organization_id = r.organization_id AND m.user_id = r.created_by)),
       claimed AS (
         INSERT INTO email_run_notices (organization_id, run_id, ended_at) SELECT organization_id, id, ended_at FROM ended ON CONFLICT DO NOTHING RETURNING run_id)
       SELECT e.user_id, e.state, e.name, e.number, e.project_slug, e.org_slug FROM ended e JOIN claimed c ON c.run_id = e.id`,
      [organizationId, runId],
    );
    return rows[0];
  }
}
