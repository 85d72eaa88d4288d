import type { RunBatch } from '@trackbase/contracts';
import { createHash } from 'node:crypto';
import { TrackbaseApiError, TrackbaseUnavailableError } from '../client/errors';
import { describeBatch, splitBatch } from './split-batch';

/** A value the server refused for good, by the key it was logged under. */
export interface DroppedValue {
  key: string;
  status: number;
  code: string;
  message: string;
}

export interface DeliverOptions {
  /** One attempt to send, throwing TrackbaseApiError or TrackbaseUnavailableError (with the API error as cause). */
  send: (batch: RunBatch) => Promise<unknown>;
  /** Waits before retry `attempt` of a batch the server could not take now; false stops delivery (it resumes later). */
  wait: (attempt: number) => Promise<boolean>;
  /**
   * A 500 for the whole batch this often is taken as a refusal of its content (a bad value can crash a handler);
   * its halves get two attempts each, so the bisection stays quick.
   */
  serverErrorAttempts?: number;
}

/** Delivery was stopped before the batch was settled; what was delivered is acknowledged and a later attempt dedupes it. */
export class DeliveryStoppedError extends Error {
  constructor(cause: unknown) {
    super(`the server did not take the batch: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DeliveryStoppedError';
  }
}

/** Refusals that depend on what the batch holds, so halving it isolates the values responsible. */
const CONTENT_STATUSES = new Set([400, 413, 422, 500]);

/**
 * Sends one batch. When the server refuses it for its content, the batch is
 * bisected (deterministically, so a retry from the journal sends the same
 * halves under the same ids and the server dedupes them) until each refused
 * value stands alone; those are returned and everything else is delivered.
 * Other refusals (authentication, a deleted run) drop the whole batch.
 */
export async function deliverBatch(batch: RunBatch, options: DeliverOptions): Promise<DroppedValue[]> {
  const dropped: DroppedValue[] = [];
  // Node 1 is the batch itself; node n's halves are 2n and 2n+1, sent as seq n of a stream derived from the batch.
  const stack: Array<{ batch: RunBatch; node: number }> = [{ batch, node: 1 }];
  const subStream = subStreamId(batch.streamId, batch.seq);
  while (stack.length) {
    const { batch: part, node } = stack.pop()!;
    const wire = node === 1 ? part : { ...part, streamId: subStream, seq: node };
    const refusal = await sendUntilSettled(wire, options, node === 1 ? (options.serverErrorAttempts ?? 3) : 2);
    if (!refusal) continue;
    const halves = CONTENT_STATUSES.has(refusal.status) && Number.isSafeInteger(node * 2 + 1) ? splitBatch(part) : null;
    if (halves) {
      stack.push({ batch: halves[1], node: node * 2 + 1 }, { batch: halves[0], node: node * 2 });
      continue;
    }
    dropped.push({ key: describeBatch(part), status: refusal.status, code: refusal.code, message: refusal.message });
  }
  return dropped;
}

/** Null once delivered; the refusal when the server will not take it. */
async function sendUntilSettled(batch: RunBatch, options: DeliverOptions, serverErrorAttempts: number): Promise<TrackbaseApiError | null> {
  let serverErrors = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await options.send(batch);
      return null;
    } catch (error) {
      // A 409 on (stream, seq) resolves once another attempt of the same batch commits: wait and resend.
      if (error instanceof TrackbaseApiError && error.status !== 409) return error;
      const cause = error instanceof TrackbaseUnavailableError ? error.cause : undefined;
      if (cause instanceof TrackbaseApiError && cause.status === 500 && ++serverErrors >= serverErrorAttempts) return cause;
      if (!(await options.wait(attempt))) throw new DeliveryStoppedError(error);
    }
  }
}

function subStreamId(streamId: string, seq: number): string {
  const id = `${streamId}:${seq}`;
  return id.length <= 64 ? id : `split.${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}
