import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import type { Principal } from '../common/context/principal';
import { unauthenticated } from '../common/errors/app-error';
import { ApiKeysService } from '../users/api-keys.service';
import { tokenExpired } from './auth.errors';
import { SessionsRepository } from './sessions.repository';
import { TokensService, type AccessTokenClaims } from './tokens.service';

/**
 * Turns a bearer credential (access token or API key) into a principal. HTTP
 * goes through passport strategies that call this; the websocket handshake
 * calls it directly.
 */
@Injectable()
export class BearerAuthService {
  constructor(
    private readonly tokens: TokensService,
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: SessionsRepository,
  ) {}

  /** The principal and, for access tokens, when the credential stops being valid. */
  async authenticate(token: string): Promise<{ principal: Principal; expiresAt: number | null }> {
    if (token.startsWith('tbk_')) {
      const principal = await this.apiKeys.authenticate(token);
      if (!principal) throw unauthenticated('API key is not valid');
      return { principal, expiresAt: null };
    }
    let claims: AccessTokenClaims & { exp?: number };
    try {
      claims = this.tokens.verifyAccessToken(token);
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw tokenExpired();
      throw unauthenticated('token is not valid');
    }
    const principal = await this.principalForSession(claims);
    if (!principal) throw unauthenticated('session has ended');
    return { principal, expiresAt: claims.exp ? claims.exp * 1000 : null };
  }

  /** An access token counts only while its session is live (not logged out, not revoked for reuse). */
  async principalForSession(claims: AccessTokenClaims): Promise<Principal | null> {
    if (claims.typ !== 'access' || typeof claims.sid !== 'string' || typeof claims.sub !== 'string') return null;
    const session = await this.sessions.liveSession(claims.sid, claims.sub);
    if (!session) return null;
    const principal: Principal = { userId: claims.sub, kind: session.kind, via: 'session', sessionId: claims.sid };
    if (session.ssoOrganizationId) principal.ssoOrganizationId = session.ssoOrganizationId;
    return principal;
  }
}
