import type { FileEntry } from '@trackbase/contracts';
import { insideDir } from '../artifacts/cache';
import { TrackbaseApiError } from '../client/errors';
import { downloadFile } from '../files/download-file';
import { sha256File } from '../files/hash';
import { mapLimit } from '../client/transfer/limiter';
import { TransferProgress } from '../client/transfer/progress';
import { DEFAULT_CONCURRENCY, type TransferOptions } from '../files/upload-files';
import type { RunScope } from './run-file-uploads';

export interface DownloadedRunFile {
  path: string;
  localPath: string;
  size: number;
  /** False when an identical file was there already. */
  downloaded: boolean;
}

/** Files of the run under a directory, walking the listing level by level. */
async function filesUnder(scope: RunScope, prefix: string): Promise<FileEntry[]> {
  const { entries } = await scope.api.listRunFiles(scope.org, scope.project, scope.run, prefix);
  const nested = await Promise.all(entries.map((e) => (e.type === 'dir' ? filesUnder(scope, e.path) : Promise.resolve([e]))));
  return nested.flat();
}

/** A path names a directory when it can be listed, else a file in its parent's listing. */
async function resolveTarget(scope: RunScope, path: string): Promise<{ files: FileEntry[]; base: string }> {
  const clean = path.replace(/^\/+|\/+$/g, '');
  if (!clean) return { files: await filesUnder(scope, ''), base: '' };
  try {
    return { files: await filesUnder(scope, clean), base: `${clean}/` };
  } catch (error) {
    if (!(error instanceof TrackbaseApiError) || error.status !== 404) throw error;
  }
  const slash = clean.lastIndexOf('/');
  const parent = slash === -1 ? '' : clean.slice(0, slash);
  const { entries } = await scope.api.listRunFiles(scope.org, scope.project, scope.run, parent || undefined);
  const file = entries.find((e) => e.type === 'file' && e.path === clean);
  if (!file) throw new TrackbaseApiError(404, 'not_found', `run ${scope.run} has no file or directory ${clean}`);
  return { files: [file], base: parent ? `${parent}/` : '' };
}

/**
 * Downloads a file, a directory or (without `path`) every file of a run into
 * `dir`, paths relative to what was named (as `aws s3 cp --recursive` does).
 * Each file is verified by SHA-256; one already there with the same content is kept.
 */
export async function downloadRunFiles(
  scope: RunScope,
  path: string | undefined,
  dir: string,
  options: TransferOptions = {},
): Promise<DownloadedRunFile[]> {
  const { files, base } = await resolveTarget(scope, path ?? '');
  const available = files.filter((f) => f.state !== 'pending');
  const progress = new TransferProgress(
    available.reduce((n, f) => n + f.size, 0),
    options.onProgress,
  );
  return mapLimit(available, options.concurrency ?? DEFAULT_CONCURRENCY, async (f) => {
    const localPath = insideDir(dir, f.path.slice(base.length));
    const expected = { sha256: f.sha256!, size: f.size };
    if ((await sha256File(localPath).catch(() => null)) === expected.sha256) {
      progress.add(f.size);
      return { path: f.path, localPath, size: f.size, downloaded: false };
    }
    const url = async () => (await scope.api.runFileUrl(scope.org, scope.project, scope.run, f.path)).url;
    await downloadFile(url, localPath, expected, progress, { backoff: options.backoff });
    return { path: f.path, localPath, size: f.size, downloaded: true };
  });
}
