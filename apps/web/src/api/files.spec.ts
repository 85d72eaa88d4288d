import type { StoredFile } from '@trackbase/contracts';
import { describe, expect, it } from 'vitest';
import { listDirectory } from './files';
import { targetPath } from './upload';

const file = (path: string, size: number): StoredFile => ({
  path,
  size,
  sha256: 'x',
  contentType: 'text/plain',
  state: 'available',
  createdAt: '2026-01-01T00:00:00Z',
});

describe('artifact version files shown as directories', () => {
  const files = [
    file('model.pt', 10),
    file('data/train.csv', 5),
    file('data/test.csv', 3),
    file('data/raw/a.bin', 100),
    file('README.md', 1),
  ];

  it('lists the direct children of the root, directories first with their totals', () => {
    expect(listDirectory(files, '').map((e) => [e.type, e.name, e.size, e.fileCount])).toEqual([
      ['dir', 'data', 108, 3],
      ['file', 'README.md', 1, undefined],
      ['file', 'model.pt', 10, undefined],
    ]);
  });

  it('lists a subdirectory with full paths', () => {
    expect(listDirectory(files, 'data/').map((e) => e.path)).toEqual(['data/raw/', 'data/test.csv', 'data/train.csv']);
    expect(listDirectory(files, 'nothing/')).toEqual([]);
  });
});

describe('upload target path', () => {
  it('joins a folder and a name without stray slashes', () => {
    expect(targetPath('', 'a.csv')).toBe('a.csv');
    expect(targetPath('/data//raw/ ', 'a.csv')).toBe('data/raw/a.csv');
  });
});
