import { describe, expect, it } from 'vitest';
import { jsonTextProblem, MAX_JSON_DEPTH } from './json-text';

const check = (text: string) => jsonTextProblem(Buffer.from(text));
const nested = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;

describe('jsonTextProblem', () => {
  it('finds a NUL escape in a key or a value', () => {
    expect(check(JSON.stringify({ notes: 'a\u0000b' }))).toBe('nul');
    expect(check(JSON.stringify({ 'k\u0000': 1 }))).toBe('nul');
    expect(check('["x\\\\\\u0000"]')).toBe('nul'); // an escaped backslash, then a NUL
  });

  it('leaves escaped backslashes followed by u0000 alone, and other escapes', () => {
    expect(check(JSON.stringify({ path: 'C:\\u0000dir' }))).toBeUndefined();
    expect(check(JSON.stringify({ a: '\u0001 u0000 \u1000' }))).toBeUndefined();
    expect(check('{}')).toBeUndefined();
  });

  it('finds a lone surrogate anywhere, high or low, and accepts a proper pair', () => {
    expect(check(JSON.stringify({ name: 'loss\ud800' }))).toBe('lone_surrogate');
    expect(check(JSON.stringify({ ['\udc00key']: 1 }))).toBe('lone_surrogate');
    expect(check('["\\ud800\\u0041"]')).toBe('lone_surrogate'); // a high half followed by something else
    expect(check('["\\ud800", "\\udc00"]')).toBe('lone_surrogate'); // halves in different strings
    expect(check(JSON.stringify({ emoji: '😀 ok' }))).toBeUndefined(); // raw UTF-8
    expect(check('{"emoji": "\\ud83d\\ude00"}')).toBeUndefined(); // an escaped pair
    expect(check('["\\\\ud800"]')).toBeUndefined(); // an escaped backslash, then text
  });

  it('refuses nesting deeper than the limit, in arrays and objects, and ignores brackets in strings', () => {
    expect(check(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(check(nested(MAX_JSON_DEPTH + 1))).toBe('too_deep');
    const deepObject = `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(check(deepObject)).toBe('too_deep');
    expect(check(JSON.stringify({ text: '['.repeat(5000), other: '"{{{{' }))).toBeUndefined();
    expect(check(JSON.stringify({ a: [1, 2, { b: 'x\\"[[[' }] }))).toBeUndefined();
  });

  it('is not fooled by sibling containers adding up', () => {
    expect(check(JSON.stringify({ rows: Array.from({ length: 10_000 }, () => [1, [2]]) }))).toBeUndefined();
  });
});
