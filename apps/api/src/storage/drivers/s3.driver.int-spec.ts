import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- s3rver ships no type declarations
import S3rver from 's3rver';
import { drain, md5, sha256 } from '../../../test/bytes';
import { streamingWriteCases } from '../../../test/storage-driver-cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentDisposition } from './content-disposition';
import { S3StorageDriver, type S3DriverOptions } from './s3.driver';

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

const BUCKET = 'trackbase-test';
const MiB = 1024 * 1024;
// s3rver's built-in account.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let server: S3rverServer;
let directory: string;
let options: S3DriverOptions;
let driver: S3StorageDriver;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'trackbase-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: BUCKET }] }) as S3rverServer;
  const { port } = await server.run();
  options = { bucket: BUCKET, region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, ...CREDENTIALS };
  driver = new S3StorageDriver(options);
});

afterAll(async () => {
  driver?.destroy();
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

async function presignedPut(key: string, body: Buffer, contentType = 'application/octet-stream') {
  const request = await driver.presignPut(key, { expiresIn: 60, contentType, contentMd5: md5(body).toString('base64') });
  return fetch(request.url, { method: 'PUT', headers: request.headers, body });
}

describe('S3 storage driver against s3rver', () => {
  it('a presigned PUT then a presigned GET round-trips the bytes, content type included', async () => {
    const body = randomBytes(4096);
    const put = await presignedPut('org-1/round/trip.bin', body, 'image/png');
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe(`"${md5(body).toString('hex')}"`);

    const get = await fetch(await driver.presignGet('org-1/round/trip.bin', { expiresIn: 60 }));
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await get.arrayBuffer())).toEqual(body);
  });

  it('presigned URLs name the public endpoint while the API talks to its own', async () => {
    const publicDriver = new S3StorageDriver({ ...options, endpoint: 'http://s3.internal.invalid:9000', publicEndpoint: options.endpoint });
    try {
      const body = Buffer.from('through the public endpoint');
      const request = await publicDriver.presignPut('org-1/public/endpoint.txt', { expiresIn: 60, contentType: 'text/plain' });
      expect(request.url.startsWith(`${options.endpoint}/${BUCKET}/`)).toBe(true);
      expect((await fetch(request.url, { method: 'PUT', headers: request.headers, body })).status).toBe(200);
      expect(await driver.head('org-1/public/endpoint.txt')).toEqual({ size: body.length, contentType: 'text/plain' });
      await expect(publicDriver.head('org-1/public/endpoint.txt')).rejects.toThrow();
    } finally {
      publicDriver.destroy();
    }
  });

  // s3rver accepts any SigV4 signature without checking it, so a URL for key A
  // rewritten to key B would be accepted by it; real S3 refuses. We check
  // the signature ourselves instead: it is valid for A with the headers the
  // driver returned, and for nothing else.
  it('the signature covers the key, Content-MD5 and Content-Type', async () => {
    const body = Buffer.from('signed');
    const request = await driver.presignPut('org-1/signed/a.txt', {
      expiresIn: 60,
      contentType: 'text/plain',
      contentMd5: md5(body).toString('base64'),
    });
    const url = new URL(request.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host');
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(sigV4Valid(url, 'PUT', request.headers)).toBe(true);

    const otherKey = new URL(request.url);
    otherKey.pathname = otherKey.pathname.replace('/a.txt', '/b.txt');
    expect(sigV4Valid(otherKey, 'PUT', request.headers)).toBe(false);
    expect(sigV4Valid(url, 'PUT', { ...request.headers, 'Content-Type': 'text/html' })).toBe(false);
    expect(sigV4Valid(url, 'PUT', { ...request.headers, 'Content-MD5': md5(Buffer.from('other')).toString('base64') })).toBe(false);
    expect(sigV4Valid(url, 'GET', request.headers)).toBe(false);
  });

  it('multipart through presigned part URLs: ETags are the parts MD5s and completion concatenates them', async () => {
    const key = 'org-1/multi/big.bin';
    const parts = [5 * MiB + 1, 5 * MiB + 2, 5 * MiB + 3].map((size) => randomBytes(size));
    const uploadId = await driver.createMultipart(key, 'application/x-tar');

    const completed = [];
    for (const [i, part] of parts.entries()) {
      const request = await driver.presignPart(key, uploadId, i + 1, { expiresIn: 60, contentMd5: md5(part).toString('base64') });
      const response = await fetch(request.url, { method: 'PUT', headers: request.headers, body: part });
      expect(response.status).toBe(200);
      const etag = response.headers.get('etag')!;
      expect(etag).toBe(`"${md5(part).toString('hex')}"`);
      completed.push({ partNumber: i + 1, etag });
    }
    await driver.completeMultipart(key, uploadId, completed.reverse());

    const whole = Buffer.concat(parts);
    expect(await driver.head(key)).toEqual({ size: whole.length, contentType: 'application/x-tar' });
    expect(sha256(await drain(await driver.read(key)))).toBe(sha256(whole));
    // A range across the first part boundary.
    const range = { start: 5 * MiB - 10, end: 5 * MiB + 20 };
    expect(await drain(await driver.read(key, range))).toEqual(whole.subarray(range.start, range.end + 1));
  });

  it('aborting succeeds although s3rver implements no AbortMultipartUpload, and for unknown uploads', async () => {
    const uploadId = await driver.createMultipart('org-1/aborted/file.bin', 'application/octet-stream');
    await expect(driver.abortMultipart('org-1/aborted/file.bin', uploadId)).resolves.toBeUndefined();
    await expect(driver.abortMultipart('org-1/aborted/file.bin', 'no-such-upload')).resolves.toBeUndefined();
  });

  it('head and read of a missing object: null and 404', async () => {
    expect(await driver.head('org-1/missing/file')).toBeNull();
    await expect(driver.read('org-1/missing/file')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('write, then read a range of exactly those bytes', async () => {
    const body = Buffer.from('0123456789abcdef');
    await driver.write('org-1/small/file.txt', body, 'text/plain');
    expect(await driver.head('org-1/small/file.txt')).toEqual({ size: 16, contentType: 'text/plain' });
    expect((await drain(await driver.read('org-1/small/file.txt', { start: 3, end: 7 }))).toString()).toBe('34567');
  });

  // Paging past 1000 keys is not exercised: s3rver fails every truncated
  // listing (its continuation tokens use a cipher OpenSSL 3 no longer offers).
  it('deletePrefix removes only that prefix', async () => {
    const inside = Array.from({ length: 12 }, (_, i) => `org-2/runs/r1/files/${i % 3}/f${i}.txt`);
    const outside = ['org-2/runs/r10/files/keep.txt', 'org-2/runs/r1.txt', 'org-3/runs/r1/files/keep.txt'];
    for (const key of [...inside, ...outside]) await driver.write(key, Buffer.from(key), 'text/plain');

    expect(await driver.deletePrefix('org-2/runs/r1/')).toBe(inside.length);
    for (const key of inside) expect(await driver.head(key)).toBeNull();
    for (const key of outside) expect(await driver.head(key)).not.toBeNull();
    await expect(driver.deletePrefix('org-2/runs/r1')).rejects.toThrow(/refusing/);
  });

  it('delete removes exactly the keys given', async () => {
    await driver.write('org-4/a', Buffer.from('a'), 'text/plain');
    await driver.write('org-4/b', Buffer.from('b'), 'text/plain');
    await driver.delete(['org-4/a', 'org-4/never-existed']);
    expect(await driver.head('org-4/a')).toBeNull();
    expect(await driver.head('org-4/b')).not.toBeNull();
  });

  it('presignGet with a download name sets Content-Disposition and the content type', async () => {
    await driver.write('org-1/download/x.bin', Buffer.from('{"a":1}'), 'application/octet-stream');
    const name = 'résumé "final"; v2.json';
    const response = await fetch(
      await driver.presignGet('org-1/download/x.bin', { expiresIn: 60, downloadName: name, contentType: 'application/json' }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(attachmentDisposition(name));
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22%3B%20v2.json`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"a":1}');
  });
  streamingWriteCases(() => driver, 17 * MiB + 3);
});

/** Verifies a SigV4 query-string signature for the request a client would send (path-style S3, unsigned payload). */
function sigV4Valid(url: URL, method: string, headers: Record<string, string>): boolean {
  const query = new URLSearchParams(url.search);
  const signature = query.get('X-Amz-Signature');
  query.delete('X-Amz-Signature');
  const [, date, region, service] = query.get('X-Amz-Credential')!.split('/');
  const signedHeaders = query.get('X-Amz-SignedHeaders')!.split(';');
  const sent: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(headers)) sent[name.toLowerCase()] = value;
  if (signedHeaders.some((h) => sent[h] === undefined)) return false;

  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = [...query.entries()]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const canonicalRequest = [
    method,
    url.pathname,
    canonicalQuery,
    signedHeaders.map((h) => `${h}:${sent[h].trim()}\n`).join(''),
    signedHeaders.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    query.get('X-Amz-Date'),
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = [date, region, service, 'aws4_request'].reduce<Buffer | string>(
    (key, part) => hmac(key, part),
    `AWS4${CREDENTIALS.secretAccessKey}`,
  );
  return hmac(signingKey, stringToSign).toString('hex') === signature;
}
