import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface LiveSessionRow {
  id: string;
  created_at: Date;
  last_active_at: Date;
}

/** The SQL of a person's sign-in sessions (system scope: sessions belong to a user, not an organization). */
@Injectable()
export class SessionsRepository {
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
