import type { FileDeclaration, TableResult } from '@trackbase/contracts';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrackbaseApi } from '../client/api';
import { TrackbaseApiError } from '../client/errors';
import { projectUploadCalls, uploadWithPlan } from '../client/transfer/upload-driver';
import { fileSource } from '../files/file-source';
import { createUploadRuntime } from '../files/upload-files';
import { uploadMediaObjects } from '../media/media-store';

/**
 * Tables waiting to reach the server, beside the run's journal (see
 * docs/journal-format.md): `tables/<sha256>.json` holds a document,
 * `tables/<id>.pending` names one logged table (key, step, sha256, size).
 * Both are written (temporary file, then rename) before `log()` returns, so a
 * killed process loses none; a delivered or refused table's marker is
 * removed, and its document once no marker names it.
 */
export interface PendingTable {
  id: string;
  key: string;
  step: number;
  sha256: string;
  size: number;
  /** Media objects its image and audio cells name (stored under `media/` beside the journal), uploaded before it is declared. */
  media?: FileDeclaration[];
}

const DIR = 'tables';

function writeAtomically(path: string, body: Buffer | string): void {
  const partial = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(partial, body, { mode: 0o600 });
  renameSync(partial, path);
}

export function saveTable(journalDir: string, key: string, step: number, document: Buffer, media: FileDeclaration[] = []): PendingTable {
  const dir = join(journalDir, DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sha256 = createHash('sha256').update(document).digest('hex');
  const docPath = join(dir, `${sha256}.json`);
  if (!existsSync(docPath)) writeAtomically(docPath, document);
  const id = `${Date.now().toString(36).padStart(9, '0')}-${randomUUID().slice(0, 8)}`;
  const entry: PendingTable = { id, key, step, sha256, size: document.length, ...(media.length ? { media } : {}) };
  writeAtomically(join(dir, `${id}.pending`), JSON.stringify(entry));
  return entry;
}

/** Tables logged and not yet delivered, oldest first. */
export function pendingTables(journalDir: string): PendingTable[] {
  const dir = join(journalDir, DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.pending'))
    .sort()
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(dir, name), 'utf8')) as PendingTable];
      } catch {
        return []; // a marker torn by a crash mid-write never had its rename: nothing to send
      }
    });
}

function settle(journalDir: string, entry: PendingTable): void {
  const dir = join(journalDir, DIR);
  rmSync(join(dir, `${entry.id}.pending`), { force: true });
  if (!pendingTables(journalDir).some((p) => p.sha256 === entry.sha256)) rmSync(join(dir, `${entry.sha256}.json`), { force: true });
}

/**
 * Sends one pending table: declared, its document uploaded when the server
 * asks for it, declared again. Answers the server's verdict (`ready` or
 * `rejected`) and forgets the table; a server that cannot be reached throws and
 * the table stays for the next attempt or `trackbase sync`.
 */
export async function sendPendingTable(
  api: TrackbaseApi,
  scope: { org: string; project: string; run: string },
  journalDir: string,
  entry: PendingTable,
): Promise<TableResult> {
  const { org, project, run } = scope;
  const declaration = { key: entry.key, step: entry.step, size: entry.size, sha256: entry.sha256 };
  const declare = async (): Promise<TableResult> => {
    try {
      return (await api.declareRunTables(org, project, run, [declaration])).tables[0]!;
    } catch (error) {
      // A request with only this table answers its refusal as an error.
      if (error instanceof TrackbaseApiError && (error.status === 400 || error.status === 413)) {
        const refusal = { code: error.code, message: error.serverMessage, status: error.status };
        return { key: entry.key, step: entry.step, state: 'rejected', error: refusal };
      }
      throw error;
    }
  };
  if (entry.media?.length) await uploadMediaObjects(api, scope, journalDir, entry.media);
  let result = await declare();
  if (result.state === 'upload' && result.upload) {
    const rt = createUploadRuntime(projectUploadCalls(api, org, project), entry.size, {});
    const redeclare = async () => (await declare()).upload;
    await uploadWithPlan(
      rt,
      fileSource(join(journalDir, DIR, `${entry.sha256}.json`)),
      result.upload,
      redeclare,
      rt.progress.child(entry.size),
    );
    result = await declare();
  }
  if (result.state !== 'upload') settle(journalDir, entry);
  return result;
}
