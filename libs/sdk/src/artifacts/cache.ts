import { randomBytes } from 'node:crypto';
import { chmod, copyFile, link, lstat, mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { downloadFile, type DownloadOptions } from '../files/download-file';
import type { TransferProgress } from '../client/transfer/progress';

/** `TRACKBASE_CACHE_DIR`, else `$XDG_CACHE_HOME/trackbase/artifacts`, else `~/.cache/trackbase/artifacts`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRACKBASE_CACHE_DIR) return resolve(env.TRACKBASE_CACHE_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'trackbase', 'artifacts');
}

/** Where hard links cannot be made (another filesystem, a filesystem without them): copy instead. */
const NO_HARD_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES']);

/**
 * Artifact files on this machine, stored once per content under their
 * SHA-256 (`objects/sha256/ab/abcd…`) and verified when they arrive, so a
 * version shares the bytes it has in common with every other version, and a
 * second use of a version downloads nothing. Versions are materialised as
 * hard links to these objects. Objects are made read-only, so writing to a
 * materialised file fails instead of silently changing the cache.
 */
export class ArtifactCache {
  readonly root: string;

  constructor(root: string = defaultCacheDir()) {
    this.root = resolve(root);
  }

  objectPath(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.root, 'objects', 'sha256', sha256.slice(0, 2), sha256);
  }

  /** The default place a version is materialised: `versions/<org>/<project>/<name>/<v3>`. */
  versionDir(org: string, project: string, name: string, version: string): string {
    return join(this.root, 'versions', org, project, name, version);
  }

  /** Present with the right size; its bytes were verified when it arrived. */
  async has(sha256: string, size: number): Promise<boolean> {
    const info = await stat(this.objectPath(sha256)).catch(() => null);
    return info?.isFile() === true && info.size === size;
  }

  /** Makes the content present, downloading it only when missing. */
  async ensure(
    content: { sha256: string; size: number },
    url: (fresh: boolean) => Promise<string>,
    progress: TransferProgress,
    options?: DownloadOptions,
  ): Promise<'reused' | 'downloaded'> {
    if (await this.has(content.sha256, content.size)) return 'reused';
    const path = this.objectPath(content.sha256);
    // The verified download is renamed over any wrong-sized leftover, so another process never sees the object missing.
    await downloadFile(url, path, content, progress, options);
    await chmod(path, 0o444);
    return 'downloaded';
  }

  /**
   * Puts the content at `dest` as a hard link to the cached object, or a
   * writable copy where links are impossible. Replaces whatever was at `dest`
   * through a rename, so readers never see a partial file. With `copy`, always
   * a writable copy: files a user will edit must not be the cache's own.
   */
  async materialise(sha256: string, dest: string, { copy = false }: { copy?: boolean } = {}): Promise<'present' | 'linked' | 'copied'> {
    const source = this.objectPath(sha256);
    const [object, existing] = await Promise.all([stat(source), lstat(dest).catch(() => null)]);
    if (!copy && existing && existing.ino === object.ino && existing.dev === object.dev) return 'present';
    await mkdir(dirname(dest), { recursive: true });
    const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      let how: 'linked' | 'copied' = 'linked';
      try {
        if (copy) throw Object.assign(new Error('copy asked for'), { code: 'COPY' });
        await link(source, tmp);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code !== 'COPY' && !NO_HARD_LINK.has(code)) throw error;
        await copyFile(source, tmp);
        await chmod(tmp, 0o644);
        how = 'copied';
      }
      await rename(tmp, dest);
      return how;
    } finally {
      // Left behind only when a concurrent process linked the same object at `dest` first (rename is then a no-op).
      await rm(tmp, { force: true });
    }
  }
}

/** `root/path` for a path the server gave, refusing any that would land outside `root`. */
export function insideDir(root: string, path: string): string {
  const base = resolve(root);
  const target = resolve(base, ...path.split('/'));
  if (!target.startsWith(base + sep)) throw new Error(`refusing to write ${JSON.stringify(path)} outside ${base}`);
  return target;
}
