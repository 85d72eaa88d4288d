import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { UserEntity } from './user.entity';

/** An API key found by its public prefix, with its user's kind; the hash is compared by the caller. */
export interface ApiKeyLookupRow {
  id: string;
  user_id: string;
  key_hash: Buffer;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  read_only: boolean;
  organization_id: string | null;
  project_ids: string[] | null;
  kind: UserEntity['kind'];
}

/** A key as listed, with the slugs of the organization and projects it is limited to. */
export interface ApiKeyListRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  read_only: boolean;
  organization_slug: string | null;
  project_slugs: string[] | null;
}

/**
 * The hand-written SQL of users and their API keys. Key lookups run before any
 * request context exists (authentication), on the data source in system scope.
 */
@Injectable()
export class UsersRepository {
  async apiKeyByPrefix(db: Pick<EntityManager, 'query'>, prefix: string): Promise<ApiKeyLookupRow | undefined> {
    const rows: ApiKeyLookupRow[] = await db.query(
      `SELECT k.id, k.user_id, k.key_hash, k.expires_at, k.revoked_at, k.last_used_at,
              k.read_only, k.organization_id, k.project_ids, u.kind
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.prefix = $1`,
      [prefix],
    );
    return rows[0];
  }

  /** A user's keys, newest first; a limited key names its organization and projects by their current slugs. */
  listApiKeys(db: Pick<EntityManager, 'query'>, userId: string, keyId?: string): Promise<ApiKeyListRow[]> {
    return db.query(
      `SELECT k.id, k.name, k.prefix, k.created_at, k.expires_at, k.last_used_at, k.revoked_at, k.read_only,
              o.slug AS organization_slug,
              CASE WHEN k.project_ids IS NULL THEN NULL ELSE
                ARRAY(SELECT p.slug FROM projects p WHERE p.id = ANY (k.project_ids) ORDER BY p.slug) END AS project_slugs
         FROM api_keys k LEFT JOIN organizations o ON o.id = k.organization_id
        WHERE k.user_id = $1 AND ($2::uuid IS NULL OR k.id = $2)
        ORDER BY k.created_at DESC, k.id`,
      [userId, keyId ?? null],
    );
  }

  async touchApiKey(db: Pick<EntityManager, 'query'>, keyId: string): Promise<void> {
    await db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [keyId]);
  }

  // Account deletion ------------------------------------------------------------------------------------------------

  /** The account's password hash (null without one) and when its current session started. */
  async reauthFacts(
    db: Pick<EntityManager, 'query'>,
    userId: string,
    sessionId: string,
  ): Promise<{ email: string | null; password_hash: string | null; session_started: Date | null } | undefined> {
    const rows: Array<{ email: string | null; password_hash: string | null; session_started: Date | null }> = await db.query(
      `SELECT u.email, u.password_hash, (SELECT s.created_at FROM sessions s WHERE s.id = $2 AND s.user_id = u.id) AS session_started
         FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL`,
      [userId, sessionId],
    );
    return rows[0];
  }

  /** Organizations whose only owner this person is. */
  async soleOwnerships(db: Pick<EntityManager, 'query'>, userId: string): Promise<string[]> {
    const rows: Array<{ slug: string }> = await db.query(
      `SELECT o.slug FROM org_members m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1 AND m.role = 'owner'
          AND NOT EXISTS (SELECT 1 FROM org_members other WHERE other.organization_id = m.organization_id AND other.role = 'owner' AND other.user_id <> $1)
        ORDER BY o.slug`,
      [userId],
    );
    return rows.map((r) => r.slug);
  }

  /**
   * Ends the account: sessions and keys revoked, memberships, project roles, single sign-on links, SCIM records,
   * two-factor secrets, account tokens and email preferences removed, and the row anonymised ("Deleted user", no
   * email or password) but kept, so that what the person made in organizations stays there, attributed to a deleted
   * user. Returns the organizations they left.
   */
  async deleteAccount(db: Pick<EntityManager, 'query'>, userId: string): Promise<string[]> {
    await queryRows(
      db,
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'account_deleted' WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
      [userId],
    );
    await queryRows(db, `UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId]);
    await db.query(`DELETE FROM project_members WHERE user_id = $1`, [userId]);
    await db.query(`DELETE FROM sso_identities WHERE user_id = $1`, [userId]);
    await db.query(`DELETE FROM scim_users WHERE user_id = $1`, [userId]);
    // The account's own secrets and mail state go with it: tokens, two-factor secret and recovery codes, email
    // preferences and pending digest items.
    for (const table of ['account_tokens', 'user_two_factor', 'user_recovery_codes', 'email_preferences', 'email_digest_items']) {
      await db.query(`DELETE FROM ${table} WHERE user_id = $1`, [userId]);
    }
    const left = await queryRows<{ organization_id: string }>(db, `DELETE FROM org_members WHERE user_id = $1 RETURNING organization_id`, [
      userId,
    ]);
    await db.query(
      `UPDATE users SET email = NULL, name = 'Deleted user', password_hash = NULL, email_verified_at = NULL, deleted_at = now() WHERE id = $1`,
      [userId],
    );
    return left.map((r) => r.organization_id);
  }
}
