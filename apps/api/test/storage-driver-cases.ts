import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import type { StorageDriver } from '../src/storage/storage-driver';
import { drain, sha256 } from './bytes';

const MiB = 1024 * 1024;

/** What every driver must do with bodies the API streams itself (`writeStream`, `move`); `size` should pass one of its parts. */
export function streamingWriteCases(driverOf: () => StorageDriver, size: number): void {
  it('writeStream stores a streamed body whole, and move carries it to another key', async () => {
    const driver = driverOf();
    const body = randomBytes(size);
    // Uneven chunks, as a request body arrives.
    const chunks = [body.subarray(0, 1000), body.subarray(1000, 2 * MiB), body.subarray(2 * MiB)];
    expect(await driver.writeStream('org-1/stream/staged', Readable.from(chunks), 'application/x-test')).toBe(body.length);
    expect(await driver.head('org-1/stream/staged')).toEqual({ size: body.length, contentType: 'application/x-test' });
    await driver.move('org-1/stream/staged', 'org-1/stream/final');
    expect(await driver.head('org-1/stream/staged')).toBeNull();
    expect(await driver.head('org-1/stream/final')).toEqual({ size: body.length, contentType: 'application/x-test' });
    expect(sha256(await drain(await driver.read('org-1/stream/final')))).toBe(sha256(body));
  });

  it('a streamed body that fails midway leaves no object', async () => {
    const driver = driverOf();
    const failing = new Readable({
      read() {
        this.push(randomBytes(1024));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(driver.writeStream('org-1/stream/broken', failing, 'application/octet-stream')).rejects.toThrow('client went away');
    expect(await driver.head('org-1/stream/broken')).toBeNull();
  });
}
