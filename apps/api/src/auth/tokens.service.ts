import { Inject, Injectable } from '@nestjs/common';
import type { TokenPair } from '@trackbase/contracts';
import jwt from 'jsonwebtoken';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AccessEvents } from '../common/access/access-events';
import { inScopedTransaction } from '../database/tenant-scope';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { UserEntity } from '../users/user.entity';
import { toUserDto } from '../users/user.mapper';
import { invalidRefreshToken, refreshTokenReused } from './auth.errors';
import { RefreshTokenEntity } from './refresh-token.entity';
import { randomToken, sha256 } from './secret-token';
import { SessionEntity } from './session.entity';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: 'access';
}

export const JWT_ALGORITHM = 'HS256';
const REFRESH_PREFIX = 'tbr_';

/**
 * Short-lived JWT access tokens and rotating refresh tokens. Each sign-in is
 * a session; each refresh marks the presented token used and issues the next
 * one. Presenting a used token means it leaked: the whole session is revoked.
 */
@Injectable()
export class TokensService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accessEvents: AccessEvents,
  ) {}

  async startSession(em: EntityManager, user: UserEntity): Promise<TokenPair> {
    const session = await em.save(SessionEntity, em.create(SessionEntity, { userId: user.id }));
    return this.issue(em, user, session.id);
  }

  /** A session signed in by an organization's single sign-on; its tokens are issued later, by `issueForSession`. */
  async createSsoSession(em: EntityManager, userId: string, organizationId: string): Promise<string> {
    const session = await em.save(SessionEntity, em.create(SessionEntity, { userId, ssoOrganizationId: organizationId }));
    return session.id;
  }

  /** The first tokens of a live session (the hand-off of a single sign-on); null when the session has ended. */
  async issueForSession(em: EntityManager, sessionId: string): Promise<TokenPair | null> {
    const session = await em.findOneBy(SessionEntity, { id: sessionId });
    if (!session || session.revokedAt) return null;
    const user = await em.findOneByOrFail(UserEntity, { id: session.userId });
    return this.issue(em, user, session.id);
  }

  async refresh(em: EntityManager, presented: string): Promise<TokenPair> {
    if (!presented.startsWith(REFRESH_PREFIX)) throw invalidRefreshToken();
    const token = await em
      .createQueryBuilder(RefreshTokenEntity, 't')
      .setLock('pessimistic_write')
      .where('t.token_hash = :hash', { hash: sha256(presented) })
      .getOne();
    if (!token) throw invalidRefreshToken();
    const session = await em.findOneBy(SessionEntity, { id: token.sessionId });
    if (!session || session.revokedAt) throw invalidRefreshToken();
    if (token.usedAt) {
      // Committed on its own: the request fails, but the revocation must stand.
      await inScopedTransaction(this.dataSource, { kind: 'system' }, (own) => this.revokeSession(own, session.id, 'refresh_token_reused'));
      this.sessionEnded(session.id);
      throw refreshTokenReused();
    }
    if (token.expiresAt.getTime() <= Date.now()) throw invalidRefreshToken();
    await em.update(RefreshTokenEntity, { id: token.id }, { usedAt: new Date() });
    const user = await em.findOneByOrFail(UserEntity, { id: session.userId });
    return this.issue(em, user, session.id);
  }

  /** Logout: ends the session the refresh token belongs to, if any (its id is returned). Unknown tokens are ignored. */
  async logout(em: EntityManager, presented: string): Promise<string | null> {
    const token = await em.findOneBy(RefreshTokenEntity, { tokenHash: sha256(presented) });
    if (!token) return null;
    await this.revokeSession(em, token.sessionId, 'logout');
    return token.sessionId;
  }

  /** After a session's revocation committed: its live sockets end, on every node. */
  sessionEnded(sessionId: string): void {
    this.accessEvents.emit('sessionsRevoked', { sessionId, origin: 'local' });
  }

  async revokeSession(em: EntityManager, sessionId: string, reason: string): Promise<void> {
    await em
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: () => 'now()', revokedReason: reason })
      .where('id = :id AND revoked_at IS NULL', { id: sessionId })
      .execute();
  }

  verifyAccessToken(token: string): AccessTokenClaims {
    const claims = jwt.verify(token, this.config.JWT_SECRET, { algorithms: [JWT_ALGORITHM] });
    if (typeof claims !== 'object' || claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      throw new jwt.JsonWebTokenError('not an access token');
    }
    return claims as unknown as AccessTokenClaims;
  }

  private async issue(em: EntityManager, user: UserEntity, sessionId: string): Promise<TokenPair> {
    const now = Date.now();
    const accessExpires = new Date(now + this.config.ACCESS_TOKEN_TTL_SECONDS * 1000);
    const refreshExpires = new Date(now + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    const claims: AccessTokenClaims = { sub: user.id, sid: sessionId, typ: 'access' };
    const accessToken = jwt.sign(claims, this.config.JWT_SECRET, {
      algorithm: JWT_ALGORITHM,
      expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS,
    });
    const refreshToken = `${REFRESH_PREFIX}${randomToken()}`;
    await em.insert(RefreshTokenEntity, { sessionId, tokenHash: sha256(refreshToken), expiresAt: refreshExpires });
    return {
      accessToken,
      accessTokenExpiresAt: accessExpires.toISOString(),
      refreshToken,
      refreshTokenExpiresAt: refreshExpires.toISOString(),
      tokenType: 'Bearer',
      user: toUserDto(user),
    };
  }
}
