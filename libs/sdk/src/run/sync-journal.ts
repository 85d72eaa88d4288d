import type { TrackbaseApi } from '../client/api';
import { backoffDelay, DEFAULT_BACKOFF } from '../client/backoff';
import { sleep } from '../client/http';
import { TrackbaseApiError } from '../client/errors';
import { refusedMediaOf, uploadBatchMedia } from '../media/media-store';
import { deliverBatch, type DroppedValue } from './deliver-batch';
import { FINAL_STATES } from './arguments';
import type { FinalState } from './run';
import { batchFromEntries, Journal, type JournalMeta } from '../journal/journal';
import { pendingTables, sendPendingTable } from '../tables/pending-tables';

export interface SyncResult {
  dir: string;
  runKey?: string;
  runUrl?: string;
  batches: number;
  /** Tables delivered (or refused) from the journal's pending tables. */
  tables: number;
  points: number;
  rejected: number;
  /** Values the server refused for good (the rest of their batches was delivered). */
  dropped: DroppedValue[];
  finished: string | null;
  /** Set when the journal recorded a final state the server cannot take (an old SDK's mistake): what was sent instead. */
  repairedState?: { recorded: unknown; sent: string };
  removed: boolean;
}

/**
 * Creates the run if it does not exist yet (idempotently, by external id), so
 * every process of one job and every retry land in the same run.
 */
export async function ensureRun(api: TrackbaseApi, meta: JournalMeta): Promise<JournalMeta> {
  if (meta.runId) return meta;
  const run = await api.createRun(meta.org, meta.project, {
    externalId: meta.externalId,
    ...(meta.name ? { name: meta.name } : {}),
    ...(meta.fork ? { forkFrom: meta.fork.from, forkStep: meta.fork.step } : {}),
  });
  return { ...meta, runId: run.id, runKey: run.key, runUrl: run.url };
}

/** A recorded finish the server cannot take (`finish({ timeoutMs })` from an SDK that did not check) still means the run ended. */
function finalState(recorded: unknown): FinalState | null {
  if (recorded === null || recorded === undefined) return null;
  return (FINAL_STATES as readonly unknown[]).includes(recorded) ? (recorded as FinalState) : 'finished';
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
    const dropped: DroppedValue[] = [];
    for (const pending of state.pending) {
      const { batch, points: n } = batchFromEntries(meta.streamId, pending.seq, pending.entries);
      // A server that stays unreachable ends the sync (the journal keeps the rest); one that refuses values drops only those.
      if (batch.media?.length) {
        // Refused for good (a quota): the server then refuses those items one by one and keeps the rest.
        await uploadBatchMedia(api, { org: meta.org, project: meta.project, run: meta.runId! }, dir, batch).catch((error: unknown) => {
          if (!(error instanceof TrackbaseApiError)) throw error;
        });
      }
      const refusedMedia: DroppedValue[] = [];
      const refused = await deliverBatch(batch, {
        send: async (b) => refusedMedia.push(...refusedMediaOf(await api.sendBatch(meta.org, meta.project, meta.runId!, b, 1))),
        wait: async (attempt) => attempt < 7 && (await sleep(backoffDelay(attempt, DEFAULT_BACKOFF)), true),
      });
      if (refused.length) {
        journal.append({ t: 'r', seq: pending.seq, code: refused[0]!.code });
        dropped.push(...refused);
        rejected++;
      } else journal.append({ t: 'a', seq: pending.seq });
      dropped.push(...refusedMedia);
      points += n;
      sent++;
      onProgress?.(sent, state.pending.length);
    }
    let tables = 0;
    for (const entry of pendingTables(dir)) {
      const result = await sendPendingTable(api, { org: meta.org, project: meta.project, run: meta.runId! }, dir, entry);
      if (result.state === 'rejected') {
        const { code, message, status } = result.error!;
        dropped.push({ key: `table ${result.key} at step ${result.step}`, code, message, status });
      }
      tables++;
    }
    const finish = finalState(state.finishState);
    if (finish) await api.updateRun(meta.org, meta.project, meta.runId!, { state: finish });
    const removed = !!finish && pendingTables(dir).length === 0;
    if (removed) journal.remove();
    else journal.close();
    return {
      dir,
      runKey: meta.runKey,
      runUrl: meta.runUrl,
      batches: sent,
      tables,
      points,
      rejected,
      dropped,
      finished: finish,
      removed,
      ...(finish && finish !== state.finishState ? { repairedState: { recorded: state.finishState, sent: finish } } : {}),
    };
  } catch (error) {
    try {
      journal.close();
    } catch {
      /* already closed */
    }
    throw error;
  }
}
