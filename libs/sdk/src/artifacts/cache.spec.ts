import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError } from '../client/errors';
import { TransferProgress } from '../client/transfer/progress';
import { FakeStore } from '../files/testing/fake-store';
import { ArtifactCache, defaultCacheDir, insideDir } from './cache';

let store: FakeStore;
beforeAll(async () => (store = await FakeStore.start()));
afterAll(() => store.close());

const fast = { backoff: { initialMs: 1, maxMs: 5, factor: 2 }, maxAttempts: 2 };

function served(name: string, size = 50_000) {
  const content = randomBytes(size);
  store.objects.set(name, content);
  return { content, sha256: createHash('sha256').update(content).digest('hex'), size };
}

describe('the artifact cache', () => {
  it('downloads a content once, then reuses it without a request', async () => {
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'tb-cache-')));
    const file = served('weights');
    let signed = 0;
    const url = async () => (signed++, store.url('weights'));
    expect(await cache.ensure(file, url, new TransferProgress(file.size), fast)).toBe('downloaded');
    expect(await cache.ensure(file, url, new TransferProgress(file.size), fast)).toBe('reused');
    expect(signed).toBe(1);
    expect(readFileSync(cache.objectPath(file.sha256)).equals(file.content)).toBe(true);
    // Read-only, so a write through a materialised hard link cannot change the cache.
    expect(statSync(cache.objectPath(file.sha256)).mode & 0o222).toBe(0);
  });

  it('materialises as a hard link to the cached object, and leaves it alone the second time', async () => {
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'tb-cache-')));
    const file = served('data');
    await cache.ensure(file, async () => store.url('data'), new TransferProgress(file.size), fast);
    const dest = join(cache.versionDir('acme', 'vision', 'mnist', 'v1'), 'train', 'data.bin');
    expect(await cache.materialise(file.sha256, dest)).toBe('linked');
    expect(statSync(dest).ino).toBe(statSync(cache.objectPath(file.sha256)).ino);
    expect(await cache.materialise(file.sha256, dest)).toBe('present');
  });

  it('with copy, puts a writable copy, also in place of an earlier link, and the cache stays read-only', async () => {
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'tb-cache-')));
    const file = served('copied');
    await cache.ensure(file, async () => store.url('copied'), new TransferProgress(file.size), fast);
    const dest = join(mkdtempSync(join(tmpdir(), 'tb-get-')), 'data.bin');
    await cache.materialise(file.sha256, dest);
    expect(await cache.materialise(file.sha256, dest, { copy: true })).toBe('copied');
    expect(statSync(dest).ino).not.toBe(statSync(cache.objectPath(file.sha256)).ino);
    expect(statSync(dest).mode & 0o200).toBe(0o200);
    writeFileSync(dest, 'edited');
    expect(readFileSync(dest, 'utf8')).toBe('edited');
    expect(readFileSync(cache.objectPath(file.sha256))).toEqual(file.content);
    expect(statSync(cache.objectPath(file.sha256)).mode & 0o222).toBe(0);
  });

  it('replaces a different file at the destination', async () => {
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'tb-cache-')));
    const file = served('replace', 100);
    await cache.ensure(file, async () => store.url('replace'), new TransferProgress(file.size), fast);
    const dest = join(mkdtempSync(join(tmpdir(), 'tb-root-')), 'x.bin');
    writeFileSync(dest, 'stale');
    expect(await cache.materialise(file.sha256, dest)).toBe('linked');
    expect(readFileSync(dest).equals(file.content)).toBe(true);
  });

  it('keeps nothing when the bytes do not match their SHA-256', async () => {
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'tb-cache-')));
    const file = served('corrupt', 1_000);
    store.corrupt = true;
    try {
      await expect(cache.ensure(file, async () => store.url('corrupt'), new TransferProgress(file.size), fast)).rejects.toBeInstanceOf(
        ChecksumMismatchError,
      );
    } finally {
      store.corrupt = false;
    }
    expect(existsSync(cache.objectPath(file.sha256))).toBe(false);
    expect(await cache.has(file.sha256, file.size)).toBe(false);
  });

  it('lives where TRACKBASE_CACHE_DIR says, else under ~/.cache', () => {
    expect(defaultCacheDir({ TRACKBASE_CACHE_DIR: '/tmp/tb' })).toBe('/tmp/tb');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/trackbase/artifacts');
  });

  it('refuses paths that would leave the directory', () => {
    expect(() => insideDir('/tmp/v1', '../escape')).toThrow(/outside/);
    expect(insideDir('/tmp/v1', 'a/b.txt')).toBe('/tmp/v1/a/b.txt');
  });
});
