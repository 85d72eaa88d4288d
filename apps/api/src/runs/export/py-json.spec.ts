import { describe, expect, it } from 'vitest';
import { pyFloat, pyJson } from './py-json';

describe('pyJson writes what Python json.dumps(sort_keys=True) writes', () => {
  it('floats in Python repr', () => {
    expect([0.1, 1e-5, 0.0001, 1.5e16, 1e16, 123.456, -2.5e-7, 1e22, 12345678901234.5].map(pyFloat)).toEqual([
      '0.1',
      '1e-05',
      '0.0001',
      '1.5e+16',
      '1e+16',
      '123.456',
      '-2.5e-07',
      '1e+22',
      '12345678901234.5',
    ]);
  });

  it('objects with sorted keys, spaced separators and escaped non-ASCII', () => {
    expect(pyJson({ b: [1, 2.5, true, null], a: 'é"\n', c: {} })).toBe('{"a": "\\u00e9\\"\\n", "b": [1, 2.5, true, null], "c": {}}');
    expect(pyJson([NaN, Infinity, -Infinity, 3])).toBe('[NaN, Infinity, -Infinity, 3]');
  });
});
