import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchAck, FileDeclaration, MediaItem, RunBatch } from '@trackbase/contracts';
import type { TrackbaseApi } from '../client/api';
import { sendDeclared } from '../client/transfer/send-declared';
import { projectUploadCalls } from '../client/transfer/upload-driver';
import { fileSource } from '../files/file-source';
import { createUploadRuntime } from '../files/upload-files';
import type { JournalEntry } from '../journal/entries';
import { sha256Hex, type Media } from './media';

/** Content objects of media items, by SHA-256, beside the journal until the run is delivered. */
export const MEDIA_DIR = 'media';

/** Writes content under its digest (once), durably before the journal line that names it; returns the digest. */
export function storeBlob(dir: string, bytes: Uint8Array): string {
  const digest = sha256Hex(bytes);
  const media = join(dir, MEDIA_DIR);
  const target = join(media, digest);
  if (existsSync(target)) return digest;
  mkdirSync(media, { recursive: true, mode: 0o700 });
  const tmp = join(media, `.${digest}.${process.pid}.tmp`);
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, target);
  return digest;
}

/** The journal entry of one media value, its content objects stored first. */
export function journalItem(dir: string, value: Media, key: string, step: number, time: number, index: number): JournalEntry {
  const { fields, blobs } = value.prepare();
  const item: MediaItem = { key, step, time, index, ...fields };
  blobs.forEach((blob, i) => {
    const digest = storeBlob(dir, blob.bytes);
    if (i === 0) Object.assign(item, { sha256: digest, size: blob.bytes.length, contentType: blob.contentType });
  });
  return { t: 'md', v: item };
}

/** What the batch's items reference: the content object of each, and their masks. */
function objectsOf(batch: RunBatch): FileDeclaration[] {
  const objects = new Map<string, FileDeclaration>();
  for (const item of batch.media ?? []) {
    if (item.sha256 && item.size !== undefined)
      objects.set(item.sha256, {
        path: item.sha256,
        sha256: item.sha256,
        size: item.size,
        ...(item.contentType ? { contentType: item.contentType } : {}),
      });
    for (const mask of Object.values(item.masks ?? {}))
      objects.set(mask.sha256, { path: mask.sha256, sha256: mask.sha256, size: mask.size, contentType: 'image/png' });
  }
  return [...objects.values()];
}

/**
 * Uploads the objects a batch's media items reference, from beside the
 * journal, before the batch is sent; what the server holds is not sent again.
 * An object gone from disk is left out: the server refuses its item alone.
 */
export async function uploadBatchMedia(
  api: TrackbaseApi,
  scope: { org: string; project: string; run: string },
  dir: string,
  batch: RunBatch,
): Promise<void> {
  await uploadMediaObjects(api, scope, dir, objectsOf(batch));
}

/** Uploads media objects of the run (by SHA-256, from beside the journal) that the server does not hold yet. */
export async function uploadMediaObjects(
  api: TrackbaseApi,
  scope: { org: string; project: string; run: string },
  dir: string,
  objects: FileDeclaration[],
): Promise<void> {
  const declarations = objects.filter((d) => existsSync(join(dir, MEDIA_DIR, d.sha256)));
  if (!declarations.length) return;
  const { org, project, run } = scope;
  const declared = await api.declareMediaObjects(org, project, run, declarations);
  const files = declarations.map((d) => ({ remotePath: d.path, size: d.size, source: fileSource(join(dir, MEDIA_DIR, d.sha256)) }));
  const rt = createUploadRuntime(
    projectUploadCalls(api, org, project),
    declarations.reduce((n, d) => n + d.size, 0),
    {},
  );
  const redeclare = async (file: (typeof files)[number]) =>
    (
      await api.declareMediaObjects(
        org,
        project,
        run,
        declarations.filter((d) => d.path === file.remotePath),
      )
    ).files[0]?.upload;
  await sendDeclared(rt, declared.files, files, redeclare);
}

/** Items the server refused, from a batch acknowledgement, as dropped values. */
export function refusedMediaOf(ack: BatchAck | undefined): Array<{ key: string; status: number; code: string; message: string }> {
  return (ack?.media?.refused ?? []).map((r) => ({
    key: `media.${r.key ?? r.index}@${r.step ?? '?'}`,
    status: r.status,
    code: r.code,
    message: r.message,
  }));
}
