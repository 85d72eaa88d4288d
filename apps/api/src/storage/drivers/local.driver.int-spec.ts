import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { paths, type ErrorBody } from '@trackbase/contracts';
import { drain, md5, sha256 } from '../../../test/bytes';
import { streamingWriteCases } from '../../../test/storage-driver-cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { STORAGE_DRIVER } from '../storage-driver';
import { absoluteUrl } from '../absolute-url';
import { attachmentDisposition } from './content-disposition';
import { LocalDiskDriver } from './local.driver';

const MiB = 1024 * 1024;

let t: TestApp;
let driver: LocalDiskDriver;
let root: string;

beforeAll(async () => {
  t = await startTestApp();
  driver = t.app.get(STORAGE_DRIVER);
  root = t.config.ARTIFACTS_DIR;
});
afterAll(() => t?.close());

const at = (url: string) => absoluteUrl(t.url, url);
const tokenOf = (url: string) => decodeURIComponent(url.split('/').pop()!);

async function put(url: string, headers: Record<string, string>, body: Buffer | string) {
  const response = await fetch(at(url), { method: 'PUT', headers, body });
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: response.status === 200 ? null : ((await response.json()) as ErrorBody),
  };
}

async function presignedPut(key: string, body: Buffer, contentType = 'application/octet-stream') {
  const request = await driver.presignPut(key, { expiresIn: 60, contentType, contentMd5: md5(body).toString('base64') });
  return put(request.url, request.headers, body);
}

describe('local disk driver through the API', () => {
  it('uses the local driver and hands out URLs relative to the API', async () => {
    expect(driver).toBeInstanceOf(LocalDiskDriver);
    const url = await driver.presignGet('org-1/x', { expiresIn: 60 });
    expect(url).toBe(paths.localObject(tokenOf(url)));
    expect(absoluteUrl('https://tb.example.com/', url)).toBe(`https://tb.example.com${url}`);
    expect(absoluteUrl(t.url, 'https://s3.example.com/b/k?X-Amz-Signature=1')).toBe('https://s3.example.com/b/k?X-Amz-Signature=1');
  });

  it('a presigned PUT then a presigned GET round-trips the bytes, content type included', async () => {
    const body = randomBytes(4096);
    const stored = await presignedPut('org-1/round/trip.bin', body, 'image/png');
    expect(stored).toEqual({ status: 200, etag: `"${md5(body).toString('hex')}"`, body: null });

    const response = await fetch(at(await driver.presignGet('org-1/round/trip.bin', { expiresIn: 60 })));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
    expect(await driver.head('org-1/round/trip.bin')).toEqual({ size: body.length, contentType: 'image/png' });
  });

  it('a JSON file is stored as sent, not parsed by the API', async () => {
    const body = '{"not": "closed"';
    const request = await driver.presignPut('org-1/raw/config.json', { expiresIn: 60, contentType: 'application/json' });
    expect((await put(request.url, request.headers, body)).status).toBe(200);
    expect((await drain(await driver.read('org-1/raw/config.json'))).toString()).toBe(body);
  });

  it('a tampered token is refused: 403 invalid_signature', async () => {
    const request = await driver.presignPut('org-1/tamper/a.txt', { expiresIn: 60, contentType: 'text/plain' });
    const [payload, signature] = tokenOf(request.url).split('.');
    const grant = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const otherKey = `${Buffer.from(JSON.stringify({ ...grant, key: 'org-2/tamper/a.txt' })).toString('base64url')}.${signature}`;
    const flipped = `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    for (const token of [otherKey, flipped, payload, 'garbage']) {
      const response = await put(paths.localObject(token), request.headers, 'x');
      expect(response.status, token).toBe(403);
      expect(response.body!.error.code).toBe('invalid_signature');
    }
    expect(await driver.head('org-2/tamper/a.txt')).toBeNull();
    expect(await driver.head('org-1/tamper/a.txt')).toBeNull();
  });

  it('an expired URL is refused: 403 url_expired', async () => {
    const request = await driver.presignPut('org-1/expired/a.txt', { expiresIn: -1, contentType: 'text/plain' });
    const response = await put(request.url, request.headers, 'x');
    expect(response.status).toBe(403);
    expect(response.body!.error.code).toBe('url_expired');
  });

  it('a URL works only for the operation it was issued for', async () => {
    const upload = await driver.presignPut('org-1/op/a.txt', { expiresIn: 60, contentType: 'text/plain' });
    const download = await driver.presignGet('org-1/op/a.txt', { expiresIn: 60 });
    expect((await put(download, { 'Content-Type': 'text/plain' }, 'x')).status).toBe(403);
    expect((await put(upload.url, upload.headers, 'x')).status).toBe(200);
    const response = await fetch(at(upload.url));
    expect(response.status).toBe(403);
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_signature');
  });

  it('the signed headers must be sent as given', async () => {
    const body = Buffer.from('headers');
    const request = await driver.presignPut('org-1/headers/a.txt', {
      expiresIn: 60,
      contentType: 'text/plain',
      contentMd5: md5(body).toString('base64'),
    });
    expect((await put(request.url, { 'Content-Type': 'text/plain' }, body)).status).toBe(403);
    expect((await put(request.url, { ...request.headers, 'Content-Type': 'text/html' }, body)).status).toBe(403);
    expect(await driver.head('org-1/headers/a.txt')).toBeNull();
  });

  it('a body that does not match the signed MD5 is refused with 400 and nothing is kept', async () => {
    const request = await driver.presignPut('org-1/md5/a.txt', {
      expiresIn: 60,
      contentType: 'text/plain',
      contentMd5: md5(Buffer.from('expected')).toString('base64'),
    });
    const response = await put(request.url, request.headers, 'something else');
    expect(response.status).toBe(400);
    expect(response.body!.error.code).toBe('checksum_mismatch');
    expect(await driver.head('org-1/md5/a.txt')).toBeNull();
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
  });

  it('GET with a Range header answers 206 with exactly those bytes; HEAD answers the size', async () => {
    await driver.write('org-1/range/a.txt', Buffer.from('0123456789abcdef'), 'text/plain');
    const url = at(await driver.presignGet('org-1/range/a.txt', { expiresIn: 60 }));
    const response = await fetch(url, { headers: { Range: 'bytes=3-7' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 3-7/16');
    expect(await response.text()).toBe('34567');
    expect((await fetch(url, { headers: { Range: 'bytes=100-200' } })).status).toBe(416);

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('16');
  });

  it('GET of a missing object is 404', async () => {
    const response = await fetch(at(await driver.presignGet('org-1/missing/a.txt', { expiresIn: 60 })));
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error.code).toBe('not_found');
  });

  it('presignGet with a download name sets Content-Disposition and the content type', async () => {
    await driver.write('org-1/download/x.bin', Buffer.from('{"a":1}'), 'application/octet-stream');
    const name = 'résumé "final"; v2.json';
    const response = await fetch(
      at(await driver.presignGet('org-1/download/x.bin', { expiresIn: 60, downloadName: name, contentType: 'application/json' })),
    );
    expect(response.headers.get('content-disposition')).toBe(attachmentDisposition(name));
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.text()).toBe('{"a":1}');
  });

  it('multipart through presigned part URLs: ETags are the parts MD5s and completion concatenates them', async () => {
    const key = 'org-1/multi/big.bin';
    const parts = [5 * MiB + 1, 5 * MiB + 2, 5 * MiB + 3].map((size) => randomBytes(size));
    const uploadId = await driver.createMultipart(key, 'application/x-tar');

    const completed = [];
    for (const [i, part] of parts.entries()) {
      const request = await driver.presignPart(key, uploadId, i + 1, { expiresIn: 60, contentMd5: md5(part).toString('base64') });
      const response = await put(request.url, request.headers, part);
      expect(response.status).toBe(200);
      expect(response.etag).toBe(`"${md5(part).toString('hex')}"`);
      completed.push({ partNumber: i + 1, etag: response.etag! });
    }
    await expect(
      driver.completeMultipart(key, uploadId, [completed[0], { ...completed[1], etag: completed[0].etag }, completed[2]]),
    ).rejects.toMatchObject({
      status: 400,
      code: 'part_checksum_mismatch',
    });
    expect(await driver.head(key)).toBeNull();

    await driver.completeMultipart(key, uploadId, completed.reverse());
    const whole = Buffer.concat(parts);
    expect(await driver.head(key)).toEqual({ size: whole.length, contentType: 'application/x-tar' });
    expect(sha256(await drain(await driver.read(key)))).toBe(sha256(whole));
    const range = { start: 5 * MiB - 10, end: 5 * MiB + 20 };
    expect(await drain(await driver.read(key, range))).toEqual(whole.subarray(range.start, range.end + 1));
    expect(existsSync(join(root, '.uploads', uploadId))).toBe(false);
  });

  it('a part whose body does not match its MD5 is refused; a part URL of an aborted upload is 404', async () => {
    const key = 'org-1/multi/aborted.bin';
    const uploadId = await driver.createMultipart(key, 'application/octet-stream');
    const request = await driver.presignPart(key, uploadId, 1, {
      expiresIn: 60,
      contentMd5: md5(Buffer.from('expected')).toString('base64'),
    });
    const mismatch = await put(request.url, request.headers, 'something else');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body!.error.code).toBe('part_checksum_mismatch');
    expect(existsSync(join(root, '.uploads', uploadId, '1'))).toBe(false);

    await driver.abortMultipart(key, uploadId);
    expect(existsSync(join(root, '.uploads', uploadId))).toBe(false);
    expect((await put(request.url, request.headers, 'expected')).status).toBe(404);
    await expect(driver.abortMultipart(key, uploadId)).resolves.toBeUndefined();
  });

  it('deletePrefix removes only that prefix', async () => {
    const inside = Array.from({ length: 12 }, (_, i) => `org-2/runs/r1/files/${i % 3}/f${i}.txt`);
    const outside = ['org-2/runs/r10/files/keep.txt', 'org-2/runs/r1.txt', 'org-3/runs/r1/files/keep.txt'];
    for (const key of [...inside, ...outside]) await driver.write(key, Buffer.from(key), 'text/plain');

    expect(await driver.deletePrefix('org-2/runs/r1/')).toBe(inside.length);
    for (const key of inside) expect(await driver.head(key)).toBeNull();
    for (const key of outside) expect(await driver.head(key)).not.toBeNull();
    expect(existsSync(join(root, 'org-2/runs/r1'))).toBe(false);
    expect(await driver.deletePrefix('org-2/runs/r1/')).toBe(0);
  });

  it('delete removes exactly the keys given and the directories it leaves empty', async () => {
    await driver.write('org-4/a/deep/x', Buffer.from('a'), 'text/plain');
    await driver.write('org-4/b', Buffer.from('b'), 'text/plain');
    await driver.delete(['org-4/a/deep/x', 'org-4/never-existed']);
    expect(await driver.head('org-4/a/deep/x')).toBeNull();
    expect(await driver.head('org-4/b')).not.toBeNull();
    expect(existsSync(join(root, 'org-4/a'))).toBe(false);
  });

  it('keys that would escape the store or reach its own files are refused', async () => {
    for (const key of [
      'org-1/../../escape.txt',
      '../escape.txt',
      '/etc/passwd',
      '.uploads/x',
      '.meta/org-1/x',
      'org-1/./x',
      'org-1//x',
      'org-1\\..\\x',
    ]) {
      await expect(driver.write(key, Buffer.from('x'), 'text/plain'), key).rejects.toMatchObject({ status: 400, code: 'invalid_path' });
      await expect(driver.head(key), key).rejects.toMatchObject({ code: 'invalid_path' });
      await expect(driver.presignPut(key, { expiresIn: 60, contentType: 'text/plain' }), key).rejects.toMatchObject({
        code: 'invalid_path',
      });
    }
    await expect(driver.deletePrefix('../')).rejects.toMatchObject({ code: 'invalid_path' });
    expect(existsSync(join(root, '..', 'escape.txt'))).toBe(false);
  });
  it('serves uploaded HTML sandboxed, so it cannot run script on the app origin', async () => {
    const body = Buffer.from('<script>fetch("/api/v1/users/me")</script>');
    expect((await presignedPut('org-1/xss/page.html', body, 'text/html')).status).toBe(200);
    const response = await fetch(at(await driver.presignGet('org-1/xss/page.html', { expiresIn: 60, contentType: 'text/html' })));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/^sandbox;/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  streamingWriteCases(() => driver, 3 * MiB + 3);

  it('parallel writes into a staging directory that each move out of (pruning it) all land, without ENOENT', async () => {
    // Each move prunes the staging directories it leaves empty, while the other writes are creating
    // them: the pattern of MLflow's client uploading a run's images in parallel.
    for (let round = 0; round < 20; round++) {
      const staging = `prune-race/${round}/runs/r/staging`;
      await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          await driver.writeStream(`${staging}/${i}`, Readable.from([Buffer.from(`file ${i}`)]), 'text/plain');
          await driver.move(`${staging}/${i}`, `prune-race-moved/${round}/${i}`);
        }),
      );
      for (let i = 0; i < 16; i++)
        expect(await drain(await driver.read(`prune-race-moved/${round}/${i}`))).toEqual(Buffer.from(`file ${i}`));
    }
  });
});

describe('with the S3 driver configured', () => {
  let s3App: TestApp;
  beforeAll(async () => {
    s3App = await startTestApp({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'unused-bucket',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_FORCE_PATH_STYLE: 'true',
    });
  });
  afterAll(() => s3App?.close());

  it('the local object routes answer 404', async () => {
    const token = tokenOf(await driver.presignGet('org-1/round/trip.bin', { expiresIn: 60 }));
    const get = await fetch(`${s3App.url}${paths.localObject(token)}`);
    expect(get.status).toBe(404);
    expect(((await get.json()) as ErrorBody).error.code).toBe('not_found');
    expect((await fetch(`${s3App.url}${paths.localObject(token)}`, { method: 'PUT', body: 'x' })).status).toBe(404);
  });
});
