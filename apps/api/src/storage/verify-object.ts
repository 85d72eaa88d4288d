import { createHash } from 'node:crypto';
import type { StorageDriver } from './storage-driver';

/**
 * Reads an uploaded object back and compares it with what was declared.
 * Returns what is wrong, or null when size and SHA-256 both match.
 */
export async function verifyObject(
  driver: StorageDriver,
  key: string,
  storedSize: number,
  size: number,
  sha256: string,
): Promise<string | null> {
  if (storedSize !== size) return `${storedSize} bytes arrived, ${size} were declared`;
  const hash = createHash('sha256');
  for await (const chunk of await driver.read(key)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  return actual === sha256 ? null : `the content's SHA-256 is ${actual}, ${sha256} was declared`;
}
