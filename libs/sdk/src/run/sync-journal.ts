import { isRetryableBatchStatus, TrackbaseApiError } from '../client/errors';
import type { TrackbaseApi } from '../client/api';
import { batchFromEntries, Journal, type JournalMeta } from '../journal/journal';

export interface SyncResult {
  dir: string;
  runKey?: string;
  runUrl?: string;
  batches: number;
  points: number;
  rejected: number;
  finished: string | null;
  removed: boolean;
}

/**
 * Creates the run if it does not exist yet (idempotently, by external id), so
 * every process of one job and every retry land in the same run.
 */
export async function ensureRun(api: TrackbaseApi, meta: JournalMeta): Promise<JournalMeta> {
  if (meta.runId) return meta;
  const run = await api.createRun(meta.org, meta.project, { externalId: meta.externalId, ...(meta.name ? { name: meta.name } : {}) });
  return { ...meta, runId: run.id, runKey: run.key, runUrl: run.url };
}

/**
 * Uploads what a journal holds that the server has not acknowledged, with the
 * original stream id and sequence numbers so nothing is applied twice, then
 * applies a recorded finish. A fully delivered, finished journal is removed.
 */
export async function syncJournal(api: TrackbaseApi, dir: string, onProgress?: (sent: number, total: number) => void): Promise<SyncResult> {
  let state = Journal.replay(dir);
  const journal = Journal.open(dir);
  try {
    const meta = await ensureRun(api, state.meta);
    if (meta !== state.meta) journal.updateMeta(meta);
    if (state.tail.length) {
      journal.append({ t: 'b', seq: state.nextSeq });
      state = Journal.replay(dir);
    }
    let points = 0;
    let sent = 0;
    let rejected = state.rejected;
    for (const pending of state.pending) {
      const { batch, points: n } = batchFromEntries(meta.streamId, pending.seq, pending.entries);
      try {
        await api.sendBatch(meta.org, meta.project, meta.runId!, batch, 8);
        journal.append({ t: 'a', seq: pending.seq });
        points += n;
      } catch (error) {
        // A lasting refusal is recorded; a 409 (another attempt of this batch in flight) leaves it for the next sync.
        if (!(error instanceof TrackbaseApiError) || isRetryableBatchStatus(error.status)) throw error;
        journal.append({ t: 'r', seq: pending.seq, code: error.code });
        rejected++;
      }
      sent++;
      onProgress?.(sent, state.pending.length);
    }
    if (state.finishState) await api.updateRun(meta.org, meta.project, meta.runId!, { state: state.finishState as never });
    const removed = !!state.finishState;
    if (removed) journal.remove();
    else journal.close();
    return { dir, runKey: meta.runKey, runUrl: meta.runUrl, batches: sent, points, rejected, finished: state.finishState, removed };
  } catch (error) {
    try {
      journal.close();
    } catch {
      /* already closed */
    }
    throw error;
  }
}
