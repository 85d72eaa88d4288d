import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../common/context/principal';

/**
 * The hand-written SQL of sessions. Session checks run while authenticating,
 * before any request context exists, on the data source in system scope.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The kind of the session's user while the session is live (not logged out, not revoked for reuse); undefined otherwise. */
  async liveSessionUserKind(sessionId: string, userId: string): Promise<Principal['kind'] | undefined> {
    const rows: Array<{ kind: Principal['kind'] }> = await this.dataSource.query(
      `SELECT u.kind FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL`,
      [sessionId, userId],
    );
    return rows[0]?.kind;
  }
}
