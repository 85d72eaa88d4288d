import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { BatchAck, RunBatch } from '@trackbase/contracts';
import type { DataSource } from 'typeorm';
import { notFound } from '../../common/errors/app-error';
import { RunEvents } from '../run-events';
import { GROUP_SEGMENT_ROWS, IngestRepository, type GroupedBatch } from './ingest.repository';
import { numericSummary, textSummary, type PreparedNumeric } from './prepare-batch';

/** A validated batch waiting for its group's commit. */
export interface PendingBatch extends GroupedBatch {
  batch: RunBatch;
}

interface Waiting {
  item: PendingBatch;
  resolve(ack: BatchAck): void;
  reject(error: unknown): void;
}

/** Bounds of one group: its statements stay within PostgreSQL's parameter limit and its latency short. */
const MAX_BATCHES = 500;
const MAX_POINTS = 500_000;

/**
 * Group commit for metric batches. Batches of one organization that arrive
 * while that organization's previous group is committing wait and then commit
 * together: one transaction, one claim statement (runs, ledger, heartbeats)
 * and one series statement (summaries and segments) for all of them. A batch
 * is answered only after its group committed, so an acknowledgement still
 * means durable, and each keeps its own (stream, seq) idempotency. When a
 * group fails, each of its batches is committed again alone, so a batch that
 * cannot be written fails by itself and never its neighbours. With no
 * concurrent traffic a group is one batch and nothing waits.
 */
@Injectable()
export class BatchGroups implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BatchGroups');
  private readonly queues = new Map<string, Waiting[]>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ingest: IngestRepository,
    private readonly events: RunEvents,
  ) {}

  submit(organizationId: string, item: PendingBatch): Promise<BatchAck> {
    return new Promise<BatchAck>((resolve, reject) => {
      const queue = this.queues.get(organizationId) ?? [];
      queue.push({ item, resolve, reject });
      this.queues.set(organizationId, queue);
      this.kick(organizationId);
    });
  }

  /** Waits for every queued batch to be committed or refused before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    while (this.running.size) await Promise.all(this.running.values());
  }

  private kick(organizationId: string): void {
    if (this.running.has(organizationId)) return;
    const queue = this.queues.get(organizationId);
    if (!queue?.length) {
      this.queues.delete(organizationId);
      return;
    }
    const group = takeGroup(queue);
    const run = this.commit(organizationId, group).finally(() => {
      this.running.delete(organizationId);
      this.kick(organizationId);
    });
    this.running.set(organizationId, run);
  }

  private async commit(organizationId: string, group: Waiting[]): Promise<void> {
    let answers: Array<BatchAck | Error>;
    try {
      answers = await this.commitGroup(
        organizationId,
        group.map((w) => w.item),
      );
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      this.logger.warn({ err: error, batches: group.length }, 'group commit failed; committing its batches one by one');
      for (const waiting of group) await this.commit(organizationId, [waiting]);
      return;
    }
    group.forEach((waiting, i) => {
      const answer = answers[i]!;
      if (answer instanceof Error) waiting.reject(answer);
      else waiting.resolve(answer);
    });
  }

  /** One transaction for the group; answers per batch, in order, only once it has committed. */
  private async commitGroup(organizationId: string, items: PendingBatch[]): Promise<Array<BatchAck | Error>> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let claims;
    try {
      await this.ingest.beginTenant(runner, organizationId);
      claims = await this.ingest.claimGroup(runner, organizationId, items);
      const rows: Parameters<IngestRepository['writeGroupSeries']>[2] = [];
      const segments: Array<{ runId: string; series: PreparedNumeric }> = [];
      const texts: Array<{ runId: string; item: PendingBatch }> = [];
      items.forEach((item, i) => {
        const { runId, fresh } = claims![i]!;
        if (!runId || !fresh) return;
        for (const s of item.numeric) {
          rows.push({ runId, ...numericSummary(s) });
          segments.push({ runId, series: s });
        }
        if (item.text.length) texts.push({ runId, item });
      });
      const textRows = texts.flatMap(({ runId, item }) => item.text.map((s) => ({ runId, ...textSummary(s) })));
      const textIds = new Map<string, string>();
      // Summary rows pair with segments one to one, so chunks of them fold in like separate batches.
      for (let start = 0; start < Math.max(1, segments.length); start += GROUP_SEGMENT_ROWS) {
        const chunkRows = rows.slice(start, start + GROUP_SEGMENT_ROWS);
        const ids = await this.ingest.writeGroupSeries(
          runner,
          organizationId,
          start === 0 ? [...chunkRows, ...textRows] : chunkRows,
          segments.slice(start, start + GROUP_SEGMENT_ROWS),
        );
        for (const [key, id] of ids) textIds.set(key, id);
      }
      for (const { runId, item } of texts) {
        for (const s of item.text) await this.ingest.insertGroupText(runner, organizationId, textIds.get(`${runId}\u0000${s.name}`)!, s);
      }
      await this.ingest.commit(runner);
    } catch (error) {
      await this.ingest.rollback(runner).catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    return items.map((item, i) => {
      const { runId, fresh } = claims[i]!;
      if (!runId) return notFound('run');
      if (!fresh) return { streamId: item.streamId, seq: item.seq, duplicate: true, points: 0 };
      this.emitPoints(organizationId, item.projectId, runId, item.batch);
      return { streamId: item.streamId, seq: item.seq, duplicate: false, points: item.points };
    });
  }

  private emitPoints(organizationId: string, projectId: string, runId: string, batch: RunBatch): void {
    try {
      this.events.emit('points', { organizationId, projectId, runId, batch });
    } catch (error) {
      this.logger.error({ err: error }, 'points listener failed');
    }
  }
}

/** The longest prefix of the queue within the group bounds (always at least one batch). */
function takeGroup(queue: Waiting[]): Waiting[] {
  let points = 0;
  let segments = 0;
  let n = 0;
  while (n < queue.length && n < MAX_BATCHES) {
    const item = queue[n]!.item;
    if (n > 0 && (points + item.points > MAX_POINTS || segments + item.numeric.length > GROUP_SEGMENT_ROWS)) break;
    points += item.points;
    segments += item.numeric.length;
    n++;
  }
  return queue.splice(0, n);
}
