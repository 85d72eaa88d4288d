import type { FileDeclaration, FileUploadResult } from '@trackbase/contracts';
import { STORAGE_LIMITS } from '@trackbase/contracts';
import {
  createUploadRuntime,
  PresignedRequestError,
  projectUploadCalls,
  sendDeclared,
  StoreUnreachableError,
  type DeclaredFile,
  type PutRequest,
  type UploadSource,
} from '@trackbase/sdk/client';
import { createMD5, createSHA256 } from 'hash-wasm';
import { trackbase } from './client';

/** How far one file has got; `loaded` counts bytes of the current phase. */
export interface UploadProgress {
  path: string;
  phase: 'waiting' | 'hashing' | 'sending' | 'done' | 'failed';
  loaded: number;
  total: number;
  error?: string;
}

export interface UploadItem {
  path: string;
  file: File;
}

type Report = (path: string, change: Partial<UploadProgress>) => void;

const READ_CHUNK = 8 * 1024 * 1024;
/** PUTs in flight at once (whole files or parts), below a browser's six connections per host. */
const CONCURRENCY = 4;

/** A picked file as the SDK's upload driver reads it. */
interface BlobSource extends UploadSource {
  blob: Blob;
}

type BrowserFile = DeclaredFile<BlobSource> & { declaration: FileDeclaration };

/**
 * Uploads files to a run with the SDK's upload driver: declare path, size and
 * SHA-256, then send what the server asks for (one PUT, or parts in parallel
 * with their MD5s, each reported), with retries, fresh URLs when one expired,
 * and completions batched. Hashing reads the file in chunks, so memory stays
 * small whatever the size. A failed file does not stop the others; the
 * returned count says how many failed.
 */
export async function uploadRunFiles(org: string, project: string, run: string, items: UploadItem[], report: Report): Promise<number> {
  const files: BrowserFile[] = [];
  for (const item of items) {
    report(item.path, { phase: 'hashing', loaded: 0, total: item.file.size });
    const sha256 = await digestBlob(item.file, (loaded) => report(item.path, { loaded }));
    const declaration = {
      path: item.path,
      size: item.file.size,
      sha256,
      ...(validContentType(item.file.type) ? { contentType: item.file.type } : {}),
    };
    files.push({ remotePath: item.path, size: item.file.size, source: blobSource(item), declaration });
  }
  const results: FileUploadResult[] = [];
  for (let i = 0; i < files.length; i += STORAGE_LIMITS.filesPerRequest) {
    const chunk = files.slice(i, i + STORAGE_LIMITS.filesPerRequest).map((f) => f.declaration);
    results.push(...(await trackbase.declareRunFiles(org, project, run, chunk)).files);
  }
  const rt = createUploadRuntime(
    projectUploadCalls(trackbase, org, project),
    sendBlob,
    files.reduce((n, f) => n + f.size, 0),
    { concurrency: CONCURRENCY },
  );
  let failed = 0;
  await sendDeclared(
    rt,
    results,
    files,
    async (file) => (await trackbase.declareRunFiles(org, project, run, [file.declaration])).files[0]?.upload,
    {
      concurrency: CONCURRENCY,
      onFileProgress: (file, loaded, total) => report(file.remotePath, { phase: 'sending', loaded, total }),
      onFileDone: (file) => report(file.remotePath, { phase: 'done', loaded: file.size, total: file.size }),
      onFileError: (file, error) => {
        failed++;
        report(file.remotePath, { phase: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    },
  );
  return failed;
}

function blobSource(item: UploadItem): BlobSource {
  return {
    name: item.path,
    blob: item.file,
    currentSize: async () => item.file.size,
    md5Base64: (range) => md5Base64(item.file.slice(range.start, range.end)),
  };
}

/** The browser transport of the upload driver: XMLHttpRequest rather than fetch, as it reports upload progress. */
function sendBlob({ url, headers, source, range, onProgress, timeoutMs }: PutRequest<BlobSource>): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    if (timeoutMs) xhr.timeout = timeoutMs;
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(xhr.getResponseHeader('ETag') ?? '');
      reject(PresignedRequestError.fromResponse(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new StoreUnreachableError('the upload could not reach the store (network error, or a storage CORS rule)'));
    xhr.ontimeout = () => reject(new StoreUnreachableError(`the store made no progress for ${timeoutMs} ms`));
    xhr.send(source.blob.slice(range.start, range.end));
  });
}

async function digestBlob(file: Blob, progress: (loaded: number) => void): Promise<string> {
  const hasher = await createSHA256();
  hasher.init();
  for (let offset = 0; offset < file.size; offset += READ_CHUNK) {
    hasher.update(new Uint8Array(await file.slice(offset, offset + READ_CHUNK).arrayBuffer()));
    progress(Math.min(file.size, offset + READ_CHUNK));
  }
  return hasher.digest('hex');
}

async function md5Base64(part: Blob): Promise<string> {
  const hasher = await createMD5();
  hasher.init();
  for (let offset = 0; offset < part.size; offset += READ_CHUNK) {
    hasher.update(new Uint8Array(await part.slice(offset, offset + READ_CHUNK).arrayBuffer()));
  }
  let binary = '';
  for (const byte of hasher.digest('binary')) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Browsers report '' for unknown types; the server takes only MIME types of the form type/subtype. */
function validContentType(type: string): boolean {
  return /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(type) && type.length <= 255;
}

/** `folder` and a file name as a path inside the run: no leading, trailing or doubled slashes. */
export function targetPath(folder: string, name: string): string {
  return [...folder.split('/'), name]
    .map((s) => s.trim())
    .filter(Boolean)
    .join('/');
}
