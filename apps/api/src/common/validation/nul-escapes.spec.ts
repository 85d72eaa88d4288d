import { describe, expect, it } from 'vitest';
import { hasNulEscape } from './nul-escapes';

const check = (text: string) => hasNulEscape(Buffer.from(text));

describe('hasNulEscape', () => {
  it('finds a NUL escape in a key or a value', () => {
    expect(check(JSON.stringify({ notes: 'a\u0000b' }))).toBe(true);
    expect(check(JSON.stringify({ 'k\u0000': 1 }))).toBe(true);
    expect(check('["x\\\\\\u0000"]')).toBe(true); // an escaped backslash, then a NUL
  });

  it('leaves escaped backslashes followed by u0000 alone, and other escapes', () => {
    expect(check(JSON.stringify({ path: 'C:\\u0000dir' }))).toBe(false);
    expect(check(JSON.stringify({ a: '\u0001 u0000 \u1000' }))).toBe(false);
    expect(check('{}')).toBe(false);
  });
});
