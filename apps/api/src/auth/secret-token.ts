import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Opaque tokens (API keys, refresh tokens, invitations) are random and stored only as SHA-256. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
