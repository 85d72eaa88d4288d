import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5 } from '../../test/bytes';
import { startTestApp, type TestApp } from '../../test/test-app';
import { absoluteUrl } from './absolute-url';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';

const MiB = 1024 * 1024;

// A real full disk: a 12 MiB tmpfs as the local store (mounting needs root, as our machines and CI run).
const mountPoint = mkdtempSync(join(tmpdir(), 'trackbase-full-store-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  console.warn('storage-full tests skipped: cannot mount a tmpfs here (needs root)');
}

let t: TestApp;
let driver: StorageDriver;

beforeAll(async () => {
  if (!mounted) return;
  t = await startTestApp({ ARTIFACTS_DIR: mountPoint, UPLOAD_PART_SIZE: String(5 * MiB) });
  driver = t.app.get(STORAGE_DRIVER);
});
afterAll(async () => {
  await t?.close();
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a full artifact store', () => {
  it('answers 507 storage_full, keeps nothing partial, and /readyz reports degraded storage until room is made', async () => {
    expect(await (await fetch(`${t.url}/readyz`)).json()).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok' } });
    const filler = join(mountPoint, 'filler.bin');
    writeFileSync(filler, randomBytes(9 * MiB));

    const degraded = await fetch(`${t.url}/readyz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toEqual({ status: 'degraded', checks: { database: 'ok', storage: 'full' } });

    const body = randomBytes(4 * MiB);
    const request = await driver.presignPut('org-1/full/object.bin', {
      expiresIn: 60,
      contentType: 'application/octet-stream',
      contentMd5: md5(body).toString('base64'),
    });
    const response = await fetch(absoluteUrl(t.url, request.url), { method: 'PUT', headers: request.headers, body });
    expect(response.status).toBe(507);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('storage_full');
    expect(await driver.head('org-1/full/object.bin')).toBeNull();
    expect(readdirSync(join(mountPoint, '.tmp'))).toEqual([]);

    rmSync(filler);
    expect(((await (await fetch(`${t.url}/readyz`)).json()) as { status: string }).status).toBe('ready');
    const again = await fetch(absoluteUrl(t.url, request.url), { method: 'PUT', headers: request.headers, body });
    expect(again.status).toBe(200);
    expect(existsSync(mountPoint)).toBe(true);
  });
});
