import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';

/** A file on disk and the path it gets in a run or an artifact version. */
export interface LocalFile {
  localPath: string;
  remotePath: string;
  size: number;
}

/**
 * A remote path from pieces: `/`-separated whatever the platform, without
 * empty segments, in Unicode NFC (macOS hands out decomposed names, and the
 * server accepts NFC only).
 */
export function remotePath(...pieces: string[]): string {
  return pieces
    .flatMap((p) => p.split(sep === '\\' ? /[\\/]/ : '/'))
    .filter((s) => s.length > 0 && s !== '.')
    .join('/')
    .normalize('NFC');
}

/**
 * Regular files below `dir`, in a stable order. Symbolic links to files are
 * followed; links to directories are not, so a link cycle cannot loop.
 */
export async function walkDir(dir: string): Promise<Array<{ localPath: string; relativePath: string; size: number }>> {
  const found: Array<{ localPath: string; relativePath: string; size: number }> = [];
  const visit = async (current: string) => {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        await visit(path);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const info = await stat(path).catch(() => null);
      if (info?.isFile()) found.push({ localPath: path, relativePath: relative(dir, path), size: info.size });
    }
  };
  await visit(dir);
  return found;
}

/** A file keeps its base name under `prefix`; a directory puts its contents there. */
export async function collectPath(localPath: string, prefix = ''): Promise<LocalFile[]> {
  const info = await stat(localPath);
  if (info.isFile()) return [{ localPath, remotePath: remotePath(prefix, basename(localPath)), size: info.size }];
  if (!info.isDirectory()) throw new Error(`${localPath} is neither a file nor a directory`);
  return (await walkDir(localPath)).map((f) => ({ localPath: f.localPath, remotePath: remotePath(prefix, f.relativePath), size: f.size }));
}

/** What `logArtifact` and the CLI accept: one path, several, or `{ remotePath: localPath }` (a directory there puts its contents under that path). */
export type FilesSpec = string | string[] | Record<string, string>;

export async function collectFiles(spec: FilesSpec, prefix = ''): Promise<LocalFile[]> {
  const pairs: Array<[string, string]> =
    typeof spec === 'string'
      ? [[spec, prefix]]
      : Array.isArray(spec)
        ? spec.map((p) => [p, prefix])
        : Object.entries(spec).map(([remote, local]) => [local, remotePath(prefix, remote)]);
  const files: LocalFile[] = [];
  for (const [local, under] of pairs) {
    const info = await stat(local);
    // A mapping names a file's remote path itself; a bare path contributes its base name.
    const named = !Array.isArray(spec) && typeof spec !== 'string' && info.isFile();
    files.push(...(named ? [{ localPath: local, remotePath: under, size: info.size }] : await collectPath(local, under)));
  }
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(f.remotePath);
    if (other !== undefined) throw new Error(`${other} and ${f.localPath} would both be stored as ${f.remotePath}`);
    seen.set(f.remotePath, f.localPath);
  }
  if (files.length === 0) throw new Error('no files to upload');
  return files;
}
