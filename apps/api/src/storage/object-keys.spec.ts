import { describe, expect, it } from 'vitest';
import { normalizeDirPrefix, normalizeFilePath, objectKeys } from './object-keys';

const refused = (path: string) => {
  try {
    normalizeFilePath(path);
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('normalizeFilePath', () => {
  it('collapses repeated and trailing slashes', () => {
    expect(normalizeFilePath('checkpoints//epoch-1///model.pt')).toBe('checkpoints/epoch-1/model.pt');
    expect(normalizeFilePath('plots/')).toBe('plots');
  });

  it('keeps names that merely contain dots', () => {
    expect(normalizeFilePath('a/..hidden/b..c/.env')).toBe('a/..hidden/b..c/.env');
  });

  it.each([
    ['../secrets', 'parent segment'],
    ['a/../../b', 'parent segment inside'],
    ['a/./b', 'dot segment'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows', 'drive letter'],
    ['a\\..\\b', 'backslash'],
    ['a/b\u0000c', 'NUL'],
    ['a/\nb', 'newline'],
    ['a/\u0085b', 'C1 control'],
    ['', 'empty'],
    ['///', 'only slashes'],
    ['e\u0301', 'not NFC'],
    [`${'x'.repeat(256)}/y`, 'segment too long'],
    ['x/'.repeat(600), 'path too long'],
  ])('refuses %j (%s) with invalid_path', (path) => {
    expect(refused(path)).toBe('invalid_path');
  });
});

describe('normalizeDirPrefix', () => {
  it('is empty for the root and ends with a slash otherwise', () => {
    expect(normalizeDirPrefix(undefined)).toBe('');
    expect(normalizeDirPrefix('/')).toBe('');
    expect(normalizeDirPrefix('a//b/')).toBe('a/b/');
    expect(() => normalizeDirPrefix('../a')).toThrow();
  });
});

describe('objectKeys', () => {
  const org = '11111111-1111-4111-8111-111111111111';
  const project = '22222222-2222-4222-8222-222222222222';
  const run = '33333333-3333-4333-8333-333333333333';
  const sha = 'ab'.repeat(32);

  it('begins with the organization, then the project, then the owner', () => {
    expect(objectKeys.content(objectKeys.run(org, project, run), sha)).toBe(`${org}/${project}/runs/${run}/sha256/ab/${sha}`);
  });

  it('refuses anything but uuids and hex digests as key parts', () => {
    expect(() => objectKeys.run(org, project, '../x')).toThrow();
    expect(() => objectKeys.content(objectKeys.project(org, project), '../../x')).toThrow();
  });
});
