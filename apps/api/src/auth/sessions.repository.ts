import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../common/context/principal';

export interface LiveSessionRow {
  id: string;
  created_at: Date;
  last_active_at: Date;
}

/**
 * The hand-written SQL of a person's sign-in sessions (system scope: sessions belong to a user, not an
 * organization). Session checks run while authenticating, before any request context exists, on the data source.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The session's user kind and, for a session started by an organization's single sign-on, that
   * organization, while the session is live (not logged out, not revoked for reuse); undefined otherwise.
   */
  async liveSession(sessionId: string, userId: string): Promise<{ kind: Principal['kind']; ssoOrganizationId: string | null } | undefined> {
    const rows: Array<{ kind: Principal['kind']; sso_organization_id: string | null }> = await this.dataSource.query(
      `SELECT u.kind, s.sso_organization_id FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL`,
      [sessionId, userId],
    );
    const row = rows[0];
    return row ? { kind: row.kind, ssoOrganizationId: row.sso_organization_id } : undefined;
  }

  /** Sessions not revoked with a refresh token still usable, most recently active first. */
  live(db: Pick<EntityManager, 'query'>, userId: string): Promise<LiveSessionRow[]> {
    return db.query(
      `SELECT s.id, s.created_at, max(t.created_at) AS last_active_at
         FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id
        WHERE s.user_id = $1 AND s.revoked_at IS NULL
        GROUP BY s.id
       HAVING bool_or(t.used_at IS NULL AND t.expires_at > now())
        ORDER BY last_active_at DESC, s.id`,
      [userId],
    );
  }

  /** Revokes one of the user's sessions; false when it is not theirs or was already revoked. */
  async revoke(db: Pick<EntityManager, 'query'>, userId: string, sessionId: string, reason: string): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `WITH revoked AS (
         UPDATE sessions SET revoked_at = now(), revoked_reason = $3
          WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id)
       SELECT id FROM revoked`,
      [sessionId, userId, reason],
    );
    return rows.length > 0;
  }
}
