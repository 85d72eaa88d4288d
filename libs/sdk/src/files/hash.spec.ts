import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { md5Base64OfRange, sha256File } from './hash';

const dir = mkdtempSync(join(tmpdir(), 'tb-hash-'));

describe('hashing files from disk', () => {
  it('streams a file larger than one read chunk to its SHA-256', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const path = join(dir, 'big.bin');
    writeFileSync(path, content);
    expect(await sha256File(path)).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('hashes an empty file', async () => {
    const path = join(dir, 'empty');
    writeFileSync(path, '');
    expect(await sha256File(path)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the base64 MD5 of a byte range, end exclusive', async () => {
    const content = randomBytes(10_000);
    const path = join(dir, 'range.bin');
    writeFileSync(path, content);
    expect(await md5Base64OfRange(path, { start: 1_000, end: 4_000 })).toBe(
      createHash('md5').update(content.subarray(1_000, 4_000)).digest('base64'),
    );
    expect(await md5Base64OfRange(path, { start: 5, end: 5 })).toBe(createHash('md5').digest('base64'));
  });
});
