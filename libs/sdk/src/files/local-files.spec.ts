import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles, remotePath } from './local-files';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'tb-local-'));
  mkdirSync(join(root, 'data', 'nested'), { recursive: true });
  writeFileSync(join(root, 'data', 'a.csv'), 'a');
  writeFileSync(join(root, 'data', 'nested', 'b.json'), '{}');
  writeFileSync(join(root, 'model.bin'), 'weights');
  return root;
}

describe('collecting local files', () => {
  it('a file keeps its base name, a directory contributes its contents', async () => {
    const root = tree();
    const files = await collectFiles([join(root, 'data'), join(root, 'model.bin')]);
    expect(files.map((f) => f.remotePath)).toEqual(['a.csv', 'nested/b.json', 'model.bin']);
    expect(files.find((f) => f.remotePath === 'model.bin')!.size).toBe(7);
  });

  it('a mapping names remote paths, and puts a directory under its key', async () => {
    const root = tree();
    const files = await collectFiles({ 'weights/final.bin': join(root, 'model.bin'), inputs: join(root, 'data') });
    expect(files.map((f) => f.remotePath).sort()).toEqual(['inputs/a.csv', 'inputs/nested/b.json', 'weights/final.bin']);
  });

  it('refuses two files that would get the same remote path', async () => {
    const root = tree();
    await expect(collectFiles([join(root, 'model.bin'), join(root, 'model.bin')])).rejects.toThrow(/both be stored as model.bin/);
  });

  it('builds remote paths without empty segments, in NFC', () => {
    expect(remotePath('/runs/', '', 'a//b.txt')).toBe('runs/a/b.txt');
    expect(remotePath('cafe\u0301.txt')).toBe('caf\u00e9.txt');
  });
});
