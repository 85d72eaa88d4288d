import { describe, expect, it } from 'vitest';
import { manifestDigest } from './manifest';

const a = { path: 'a.txt', size: 1, sha256: '1'.repeat(64) };
const b = { path: 'dir/b.bin', size: 2, sha256: '2'.repeat(64) };

describe('manifestDigest', () => {
  it('does not depend on the order files were declared in', () => {
    expect(manifestDigest({ files: [a, b] })).toBe(manifestDigest({ files: [b, a] }));
  });

  it('changes when a path, a size or a content hash changes', () => {
    const base = manifestDigest({ files: [a, b] });
    expect(manifestDigest({ files: [a, { ...b, path: 'dir/c.bin' }] })).not.toBe(base);
    expect(manifestDigest({ files: [a, { ...b, size: 3 }] })).not.toBe(base);
    expect(manifestDigest({ files: [a, { ...b, sha256: '3'.repeat(64) }] })).not.toBe(base);
  });

  it('tells a reference from files and one reference from another', () => {
    const ref = manifestDigest({ reference: { uri: 's3://bucket/data', digest: 'etag-1' } });
    expect(ref).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(manifestDigest({ reference: { uri: 's3://bucket/data', digest: 'etag-2' } })).not.toBe(ref);
  });
});
