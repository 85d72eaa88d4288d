import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LIMITS, type BatchAck, type RunBatch } from '@trackbase/contracts';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../common/context/request-context';
import { notFound } from '../../common/errors/app-error';
import { inScopedTransaction } from '../../database/tenant-scope';
import { MediaIngestService } from '../../media/media-ingest.service';
import { LineageRepository } from '../lineage/lineage.repository';
import { flattenParams } from '../params';
import { RunEvents } from '../run-events';
import { paramLimit } from '../runs.errors';
import { parseRunRef } from '../run-key';
import { RunsRepository } from '../runs.repository';
import { BatchGroups } from './batch-groups';
import { IngestRepository } from './ingest.repository';
import { numericSummary, prepareBatch, textSummary, type PreparedBatch } from './prepare-batch';

/**
 * Applies batches. The (stream, seq) ledger row is written in the batch's
 * transaction: a retry of a committed batch finds it and changes nothing; a
 * batch that fails leaves neither the row nor any of its data.
 */
@Injectable()
export class BatchService {
  private readonly logger = new Logger('BatchService');

  constructor(
    private readonly runs: RunsRepository,
    private readonly ingest: IngestRepository,
    private readonly lineage: LineageRepository,
    private readonly events: RunEvents,
    private readonly groups: BatchGroups,
    private readonly media: MediaIngestService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Commits a batch and answers once it is durable, without a request
   * transaction (call it from a `@NoTransaction()` route). Series-only batches
   * (metrics, system, text) are group-committed with the batches of the same
   * organization arriving meanwhile; batches that also change the run (params,
   * context, tags, lineage) or carry media commit in their own transaction
   * through `apply`.
   */
  async submit(ctx: RequestContext, ref: string, batch: RunBatch): Promise<BatchAck> {
    const prepared = prepareBatch(batch);
    const runRef = parseRunRef(ref, ctx.currentProject.slug);
    if (!runRef) throw notFound('run');
    if (batch.params || batch.context || batch.tags || batch.inputs?.length || batch.outputs?.length || batch.media?.length) {
      const ack = await inScopedTransaction(this.dataSource, { kind: 'tenant', organizationId: ctx.organization.id }, (em) => {
        ctx.bindTransaction(em);
        return this.applyPrepared(ctx, ref, batch, prepared);
      });
      await ctx.runAfterCommit((error) => this.logger.error({ err: error, requestId: ctx.requestId }, 'after-commit hook failed'));
      return ack;
    }
    return this.groups.submit(ctx.organization.id, {
      projectId: ctx.currentProject.id,
      runRef,
      streamId: batch.streamId,
      seq: batch.seq,
      points: prepared.points,
      numeric: prepared.numeric,
      text: prepared.text,
      batch,
    });
  }

  /** Applies one batch in the request's transaction (`ctx.em`); its events fire after that commits. */
  async apply(ctx: RequestContext, ref: string, batch: RunBatch): Promise<BatchAck> {
    return this.applyPrepared(ctx, ref, batch, prepareBatch(batch));
  }

  private async applyPrepared(ctx: RequestContext, ref: string, batch: RunBatch, prepared: PreparedBatch): Promise<BatchAck> {
    const params = batch.params ? flattenParams(batch.params) : undefined;
    if (params && Object.keys(params).length > LIMITS.paramCount)
      throw paramLimit(`a batch may set at most ${LIMITS.paramCount} parameters`);
    if (batch.context && JSON.stringify(batch.context).length > LIMITS.contextBytes) throw paramLimit('context is too large');

    const run = await this.runs.find(ctx, ref);
    const fresh = await this.ingest.claimBatch(ctx, run.id, batch.streamId, batch.seq, prepared.points);
    if (!fresh) return { streamId: batch.streamId, seq: batch.seq, duplicate: true, points: 0 };

    const summaries = [...prepared.numeric.map(numericSummary), ...prepared.text.map(textSummary)];
    const ids = await this.ingest.upsertSeries(ctx, run.id, summaries);
    await this.ingest.insertSegments(ctx, ids, prepared.numeric);
    await this.ingest.insertText(ctx, ids, prepared.text);
    if (params && Object.keys(params).length) await this.ingest.mergeParams(ctx, run.id, params);
    if (batch.context) await this.ingest.mergeContext(ctx, run.id, batch.context);
    if (batch.tags && (batch.tags.add?.length || batch.tags.remove?.length)) {
      await this.ingest.changeTags(ctx, run.id, batch.tags.add ?? [], batch.tags.remove ?? []);
    }
    if (batch.inputs?.length) await this.lineage.link(ctx, run.id, 'input', batch.inputs);
    if (batch.outputs?.length) await this.lineage.link(ctx, run.id, 'output', batch.outputs);
    const media = batch.media?.length ? await this.media.store(ctx, run.id, batch.media) : undefined;
    await this.runs.touch(ctx, run.id);

    const organizationId = ctx.organization.id;
    const projectId = ctx.currentProject.id;
    ctx.afterCommit(() => this.events.emit('points', { organizationId, projectId, runId: run.id, batch }));
    return { streamId: batch.streamId, seq: batch.seq, duplicate: false, points: prepared.points, ...(media ? { media } : {}) };
  }
}
