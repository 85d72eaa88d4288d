import type { DeclareFilesResponse, FileUploadResult, PartUrlsResponse, UploadPlan } from '@trackbase/contracts';
import { paths, STORAGE_LIMITS } from '@trackbase/contracts';
import { createMD5, createSHA256 } from 'hash-wasm';
import { post } from './client';

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

/**
 * Uploads files to a run the way the SDK does: declare path, size and SHA-256,
 * then send what the server asks for (one PUT, or parts with their MD5s, each
 * reported), then complete. Hashing reads the file in chunks, so memory stays
 * small whatever the size. A failed file does not stop the others; the
 * returned count says how many failed.
 */
export async function uploadRunFiles(org: string, project: string, run: string, items: UploadItem[], report: Report): Promise<number> {
  const declarations = [];
  for (const item of items) {
    report(item.path, { phase: 'hashing', loaded: 0, total: item.file.size });
    const sha256 = await digestFile(item.file, (loaded) => report(item.path, { loaded }));
    declarations.push({
      path: item.path,
      size: item.file.size,
      sha256,
      ...(validContentType(item.file.type) ? { contentType: item.file.type } : {}),
    });
  }
  const results: FileUploadResult[] = [];
  for (let i = 0; i < declarations.length; i += STORAGE_LIMITS.filesPerRequest) {
    const answer = await post<DeclareFilesResponse>(paths.runFiles(org, project, run), {
      files: declarations.slice(i, i + STORAGE_LIMITS.filesPerRequest),
    });
    results.push(...answer.files);
  }
  let failed = 0;
  for (const [index, result] of results.entries()) {
    const item = items[index]!;
    const file = item.file;
    try {
      if (result.upload) {
        report(item.path, { phase: 'sending', loaded: 0, total: file.size });
        await send(org, project, result.upload, file, (loaded) => report(item.path, { loaded }));
      }
      report(item.path, { phase: 'done', loaded: file.size, total: file.size });
    } catch (error) {
      failed++;
      report(item.path, { phase: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return failed;
}

async function send(org: string, project: string, plan: UploadPlan, file: File, progress: (loaded: number) => void): Promise<void> {
  if (plan.method === 'single') {
    if (!plan.url) throw new Error('the server gave no upload URL');
    await putBlob(plan.url, plan.headers ?? {}, file, progress);
  } else {
    let done = plan.completedParts.reduce((sum, n) => sum + partBytes(plan, n), 0);
    for (let partNumber = 1; partNumber <= plan.partCount; partNumber++) {
      if (plan.completedParts.includes(partNumber)) continue;
      const part = file.slice((partNumber - 1) * plan.partSize, partNumber * plan.partSize);
      const md5 = await md5Base64(part);
      const urls = await post<PartUrlsResponse>(paths.uploadPartUrls(org, project, plan.uploadId), { parts: [{ partNumber, md5 }] });
      const target = urls.parts[0]!;
      const { etag } = await putBlob(target.url, target.headers, part, (loaded) => progress(done + loaded));
      if (!etag) throw new Error('the store did not answer with an ETag (a storage CORS rule must expose it)');
      await post(paths.uploadParts(org, project, plan.uploadId), { partNumber, etag, md5, size: part.size });
      done += part.size;
    }
  }
  await post(paths.uploadComplete(org, project, plan.uploadId));
}

function partBytes(plan: UploadPlan, partNumber: number): number {
  return Math.min(plan.partSize, plan.size - (partNumber - 1) * plan.partSize);
}

/** XMLHttpRequest rather than fetch: it reports upload progress. */
function putBlob(
  url: string,
  headers: Record<string, string>,
  body: Blob,
  progress: (loaded: number) => void,
): Promise<{ etag: string | null }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => progress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve({ etag: xhr.getResponseHeader('ETag') });
      reject(new Error(`the store refused the upload (${xhr.status}${storeMessage(xhr.responseText)})`));
    };
    xhr.onerror = () => reject(new Error('the upload could not reach the store (network error)'));
    xhr.send(body);
  });
}

function storeMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
    return message ? `: ${message}` : '';
  } catch {
    return '';
  }
}

async function digestFile(file: Blob, progress: (loaded: number) => void): Promise<string> {
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
