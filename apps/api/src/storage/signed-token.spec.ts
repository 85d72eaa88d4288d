import { describe, expect, it, vi } from 'vitest';
import { TokenSigner } from './signed-token';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('TokenSigner', () => {
  const signer = new TokenSigner('a-secret-that-is-long-enough', 'archives');

  it('returns the payload of a token it signed', () => {
    expect(signer.verify(signer.sign({ key: 'k' }, 60))).toMatchObject({ key: 'k' });
  });

  it('refuses a token whose payload was changed, one signed for another purpose, and garbage', () => {
    const token = signer.sign({ key: 'a' }, 60);
    const [, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ key: 'b', exp: 9e9 })).toString('base64url')}.${mac}`;
    expect(codeOf(() => signer.verify(forged))).toBe('invalid_signature');
    expect(codeOf(() => new TokenSigner('a-secret-that-is-long-enough', 'uploads').verify(token))).toBe('invalid_signature');
    expect(codeOf(() => signer.verify('not-a-token'))).toBe('invalid_signature');
  });

  it('refuses an expired token', () => {
    const token = signer.sign({ key: 'a' }, 10);
    vi.useFakeTimers({ now: Date.now() + 11_000 });
    try {
      expect(codeOf(() => signer.verify(token))).toBe('url_expired');
    } finally {
      vi.useRealTimers();
    }
  });
});
