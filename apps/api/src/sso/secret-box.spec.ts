import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from './secret-box';

describe('secret box', () => {
  const key = randomBytes(32);

  it('opens what it sealed, and the stored form does not contain the secret', () => {
    const sealed = sealSecret(key, 'org-a', 'client-secret-value');
    expect(sealed).not.toContain('client-secret-value');
    expect(openSecret(key, 'org-a', sealed)).toBe('client-secret-value');
  });

  it('refuses another owner, another key and a tampered ciphertext', () => {
    const sealed = sealSecret(key, 'org-a', 'client-secret-value');
    expect(() => openSecret(key, 'org-b', sealed)).toThrow();
    expect(() => openSecret(randomBytes(32), 'org-a', sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x' + Buffer.from(parts[3]!, 'base64url').toString('latin1').slice(1), 'latin1').toString('base64url');
    expect(() => openSecret(key, 'org-a', parts.join('.'))).toThrow();
  });
});
