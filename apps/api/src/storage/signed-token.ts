import { createHmac, timingSafeEqual } from 'node:crypto';
import { StorageErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

/**
 * Compact HMAC-signed tokens for URLs the API serves itself: `payload.sig`,
 * both base64url. The payload carries `exp` (epoch seconds); the purpose is
 * mixed into the key so a token for one use never verifies for another.
 */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string | Buffer, purpose: string) {
    this.key = createHmac('sha256', secret).update(`trackbase:${purpose}`).digest();
  }

  /** `issuedAt` (default now): the same payload issued at the same instant gives the same token. */
  sign(payload: object, expiresInSeconds: number, issuedAt: Date = new Date()): string {
    const exp = Math.floor(issuedAt.getTime() / 1000) + expiresInSeconds;
    const body = Buffer.from(JSON.stringify({ ...payload, exp })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  verify<T extends object>(token: string): T {
    const [body, mac] = token.split('.');
    if (!body || !mac) throw invalid();
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let payload: T & { exp: number };
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp: number };
    } catch {
      throw invalid();
    }
    if (typeof payload.exp !== 'number' || payload.exp * 1000 < Date.now()) {
      throw new AppError(403, StorageErrorCode.UrlExpired, 'this URL has expired; ask for a new one');
    }
    return payload;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

const invalid = () => new AppError(403, StorageErrorCode.InvalidSignature, 'this URL is not valid');
