import { STORAGE_LIMITS, type StoredFile } from '@trackbase/contracts';
import type { ProjectScope } from '../client/api';
import { collectPath, remotePath, type LocalFile } from '../files/local-files';
import { sendDeclared } from '../client/transfer/send-declared';
import { projectUploadCalls } from '../client/transfer/upload-driver';
import { createUploadRuntime, declarationOf, hashFiles, type TransferOptions } from '../files/upload-files';

/** A run on a server (its id or key). */
export interface RunScope extends ProjectScope {
  run: string;
}

/**
 * Uploads local files to a run: declared in requests of at most 1000 files
 * (the API's limit), each request's files hashed, then sent with bounded
 * concurrency. Content the run already holds is not sent again.
 */
export async function uploadRunFiles(scope: RunScope, files: LocalFile[], options: TransferOptions = {}): Promise<StoredFile[]> {
  const { api, org, project, run } = scope;
  const rt = createUploadRuntime(
    projectUploadCalls(api, org, project),
    files.reduce((n, f) => n + f.size, 0),
    options,
  );
  const stored: StoredFile[] = [];
  for (let i = 0; i < files.length; i += STORAGE_LIMITS.filesPerRequest) {
    const hashed = await hashFiles(files.slice(i, i + STORAGE_LIMITS.filesPerRequest), options.concurrency);
    const declared = await api.declareRunFiles(org, project, run, hashed.map(declarationOf));
    const redeclare = async (file: (typeof hashed)[number]) =>
      (await api.declareRunFiles(org, project, run, [declarationOf(file)])).files[0]?.upload;
    stored.push(...(await sendDeclared(rt, declared.files, hashed, redeclare, { concurrency: options.concurrency })));
  }
  return stored;
}

/** One file, stored under `remote` (default: its base name). */
export async function uploadRunFile(scope: RunScope, localPath: string, remote?: string, options?: TransferOptions): Promise<StoredFile> {
  const [file] = await collectPath(localPath);
  if (!file || file.localPath !== localPath) throw new Error(`${localPath} is a directory; use uploadDir`);
  const [stored] = await uploadRunFiles(scope, [{ ...file, remotePath: remote ? remotePath(remote) : file.remotePath }], options);
  return stored!;
}

/** Every file below `localDir`, under `remotePrefix` with the same relative paths. */
export async function uploadRunDir(scope: RunScope, localDir: string, remotePrefix = '', options?: TransferOptions): Promise<StoredFile[]> {
  return uploadRunFiles(scope, await collectPath(localDir, remotePrefix), options);
}
