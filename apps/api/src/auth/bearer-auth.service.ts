import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import type { Principal } from '../common/context/principal';
import { unauthenticated } from '../common/errors/app-error';
import { ApiKeysService } from '../users/api-keys.service';
import { credentialInUrl, tokenExpired } from './auth.errors';
import { SessionsRepository } from './sessions.repository';
import { TokensService, type AccessTokenClaims } from './tokens.service';

/** `Authorization: <scheme> <token>`, read as access tokens always were (passport-jwt's reading). */
const AUTH_HEADER = /(\S+)\s+(\S+)/;

/** What a request offers as credentials: its headers, and the parsed body and query an API key may also come in. */
export interface CredentialSource {
  headers: { authorization?: string | undefined };
  body?: unknown;
  query?: unknown;
}

/**
 * Turns a bearer credential (access token or API key) into a principal. The
 * HTTP principal guard and the lean batch route call `authenticateRequest`;
 * the websocket handshake calls `authenticate` with its token.
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

  /**
   * The principal of an HTTP request, or 401. An access token comes from `Authorization: Bearer <jwt>`; an API
   * key from that header (exactly `Bearer <key>`) or from an `access_token` field of the body (not both); one in
   * the query is refused (`credential_in_url`). An expired access token is `token_expired`; anything else refused is
   * `unauthenticated` without saying why. A database failure while looking a credential up propagates (503).
   */
  async authenticateRequest(request: CredentialSource): Promise<Principal> {
    const query = request.query as { access_token?: unknown } | undefined;
    if (query && typeof query === 'object' && query.access_token !== undefined) throw credentialInUrl();
    const header = request.headers.authorization;
    let expired = false;
    const access = typeof header === 'string' ? AUTH_HEADER.exec(header) : null;
    const jwtToken = access && access[1]!.toLowerCase() === 'bearer' ? access[2]! : null;
    // API keys are not JWTs: skip them before jsonwebtoken parses one and throws (measurable on every batch).
    if (jwtToken && !jwtToken.startsWith('tbk_')) {
      let claims: AccessTokenClaims | undefined;
      try {
        claims = this.tokens.verifyAccessToken(jwtToken);
      } catch (error) {
        if (error instanceof jwt.TokenExpiredError) expired = true;
      }
      const principal = claims && (await this.principalForSession(claims));
      if (principal) return principal;
    }
    const key = apiKeyToken(request);
    const principal = key ? await this.apiKeys.authenticate(key) : null;
    if (principal) return principal;
    throw expired ? tokenExpired() : unauthenticated();
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

/**
 * The API key offered: `Bearer <key>` (exactly two words), or a body `access_token`; none when both are. (A query
 * `access_token` was refused before: URLs end up in request logs, proxies and browser history.)
 */
function apiKeyToken(request: CredentialSource): string | undefined {
  let token: string | undefined;
  const header = request.headers.authorization;
  if (header) {
    const parts = header.split(' ');
    if (parts.length !== 2) return undefined;
    if (/^Bearer$/i.test(parts[0]!)) token = parts[1];
  }
  const body = request.body as { access_token?: unknown } | undefined;
  const offered = body && typeof body === 'object' ? body.access_token : undefined;
  if (offered) {
    if (token || typeof offered !== 'string') return undefined;
    token = offered;
  }
  return token || undefined;
}
