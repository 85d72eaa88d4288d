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
}
