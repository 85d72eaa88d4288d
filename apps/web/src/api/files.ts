import type { FileEntry, FileListing, FilePreview, SignedUrl, StoredFile } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { del, get, post } from './client';

/**
 * Where a file browser reads from: the files of a run (listed by the server,
 * directory by directory) or of an artifact version (one flat list, shown as
 * directories here). The browser and preview components only see this.
 */
export interface FileSource {
  /** Changes when the source points elsewhere, so views reload. */
  readonly id: string;
  /** The project the files belong to: references in Markdown files resolve there. */
  readonly scope: { org: string; project: string };
  list(prefix: string): Promise<FileListing>;
  url(path: string): Promise<SignedUrl>;
  preview(path: string): Promise<FilePreview>;
  /** A URL of a .tar of every file under `prefix` ('' for all). */
  archive(prefix: string): Promise<SignedUrl>;
  /** Absent where files cannot be deleted one by one. */
  remove?(path: string): Promise<void>;
}

export function runFileSource(org: string, project: string, run: string): FileSource {
  const base = paths.runFiles(org, project, run);
  return {
    id: base,
    scope: { org, project },
    list: (prefix) => get<FileListing>(prefix ? `${base}?prefix=${encodeURIComponent(prefix)}` : base),
    url: (path) => get<SignedUrl>(paths.runFileUrl(org, project, run, path)),
    preview: (path) => get<FilePreview>(paths.runFilePreview(org, project, run, path)),
    archive: (prefix) => post<SignedUrl>(paths.runFilesArchive(org, project, run), prefix ? { prefix } : {}),
    remove: (path) => del<void>(`${base}?path=${encodeURIComponent(path)}`),
  };
}

export function versionFileSource(org: string, project: string, name: string, version: string): FileSource {
  const base = paths.artifactVersionFiles(org, project, name, version);
  let all: Promise<StoredFile[]> | undefined;
  const files = () => {
    all ??= get<{ files: StoredFile[] }>(base).then(
      (r) => r.files,
      (error: unknown) => {
        all = undefined; // a failed load is tried again next time
        throw error;
      },
    );
    return all;
  };
  return {
    id: base,
    scope: { org, project },
    list: async (prefix) => ({ prefix, entries: listDirectory(await files(), prefix) }),
    url: (path) => get<SignedUrl>(paths.artifactVersionFileUrl(org, project, name, version, path)),
    preview: (path) => get<FilePreview>(paths.artifactVersionFilePreview(org, project, name, version, path)),
    archive: (prefix) => post<SignedUrl>(`${base}/archive`, prefix ? { prefix } : {}),
  };
}

/** The direct children of `prefix` in a flat list of files, as the server lists a run's: directories first, then by name. */
export function listDirectory(files: StoredFile[], prefix: string): FileEntry[] {
  const dirs = new Map<string, FileEntry>();
  const entries: FileEntry[] = [];
  for (const f of files) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      entries.push({
        name: rest,
        path: f.path,
        type: 'file',
        size: f.size,
        sha256: f.sha256,
        contentType: f.contentType,
        state: f.state,
        createdAt: f.createdAt,
      });
      continue;
    }
    const name = rest.slice(0, slash);
    const dir = dirs.get(name) ?? { name, path: `${prefix}${name}/`, type: 'dir' as const, size: 0, fileCount: 0 };
    dir.size += f.size;
    dir.fileCount = (dir.fileCount ?? 0) + 1;
    dirs.set(name, dir);
  }
  const byName = (a: FileEntry, b: FileEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...[...dirs.values()].sort(byName), ...entries.sort(byName)];
}

/** Asks for a short-lived URL, then lets the browser download from it (the store answers as an attachment). */
export async function download(url: Promise<SignedUrl>): Promise<void> {
  const { url: href } = await url;
  const a = document.createElement('a');
  a.href = href;
  a.rel = 'noopener';
  a.download = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
