import { StorageErrorCode, STORAGE_LIMITS } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

const invalidPath = (path: string, reason: string) =>
  new AppError(400, StorageErrorCode.InvalidPath, `path ${JSON.stringify(path.slice(0, 200))} ${reason}`, [
    { path: 'path', message: reason },
  ]);

/**
 * Normalises a path a client names inside a run or an artifact version and
 * refuses one that could escape it or confuse a store: absolute paths, `.` and
 * `..` segments, backslashes (a Windows separator elsewhere), control
 * characters. Repeated and trailing slashes collapse. The result never starts
 * or ends with `/`.
 */
export function normalizeFilePath(raw: string): string {
  if (typeof raw !== 'string' || raw.length === 0) throw invalidPath(String(raw), 'is empty');
  if (raw.length > STORAGE_LIMITS.pathLength) throw invalidPath(raw, `is longer than ${STORAGE_LIMITS.pathLength} characters`);
  if (raw.startsWith('/')) throw invalidPath(raw, 'is absolute; give a path relative to the run or version');
  if (/^[A-Za-z]:/.test(raw)) throw invalidPath(raw, 'names a drive; give a relative path');
  if (raw.includes('\\')) throw invalidPath(raw, 'contains a backslash; use / to separate directories');
  for (const char of raw) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) throw invalidPath(raw, 'contains a control character');
  }
  if (raw.normalize('NFC') !== raw) throw invalidPath(raw, 'is not in Unicode NFC form');
  const segments = raw.split('/').filter((s) => s.length > 0);
  if (segments.length === 0) throw invalidPath(raw, 'names no file');
  for (const segment of segments) {
    if (segment === '.' || segment === '..') throw invalidPath(raw, 'contains a . or .. segment');
    if (segment.length > STORAGE_LIMITS.pathSegmentLength)
      throw invalidPath(raw, `has a segment longer than ${STORAGE_LIMITS.pathSegmentLength} characters`);
  }
  return segments.join('/');
}

/** A directory prefix for listings: normalised, `''` for the root, else ending with `/`. */
export function normalizeDirPrefix(raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw === '/') return '';
  return `${normalizeFilePath(raw)}/`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;

function uuid(id: string): string {
  if (!UUID.test(id)) throw new Error(`object keys are built from uuids, got ${JSON.stringify(id)}`);
  return id;
}

/**
 * Every object key begins with the organization id, then the project, then
 * the run or artifact that owns it. Contents are addressed by SHA-256 inside
 * that owner, so a retried or repeated upload of the same bytes lands on the
 * same key and a stored object is never overwritten with other bytes.
 */
export const objectKeys = {
  organization: (orgId: string) => `${uuid(orgId)}/`,
  project: (orgId: string, projectId: string) => `${uuid(orgId)}/${uuid(projectId)}/`,
  run: (orgId: string, projectId: string, runId: string) => `${objectKeys.project(orgId, projectId)}runs/${uuid(runId)}/`,
  artifact: (orgId: string, projectId: string, artifactId: string) =>
    `${objectKeys.project(orgId, projectId)}artifacts/${uuid(artifactId)}/`,
  /** The content object inside an owner's prefix. */
  content: (ownerPrefix: string, sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('content keys need a hex sha256');
    return `${ownerPrefix}sha256/${sha256.slice(0, 2)}/${sha256}`;
  },
  /** Where bytes wait, inside their owner's prefix, until their SHA-256 is known and they move to their content key. */
  staging: (ownerPrefix: string, id: string) => `${ownerPrefix}staging/${uuid(id)}`,
  /** The Parquet form of a logged table, apart from content objects (a run file can never share its key). */
  table: (ownerPrefix: string, sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('table keys need a hex sha256');
    return `${ownerPrefix}tables/${sha256}.parquet`;
  },
};

/** The first path after every path under `prefix` (which ends with '/'), for an index range scan in C collation; null for the root. */
export function upperBound(prefix: string): string | null {
  return prefix === '' ? null : `${prefix.slice(0, -1)}0`;
}
