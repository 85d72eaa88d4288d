import { Injectable } from '@nestjs/common';
import { LIMITS, type BatchAck, type RunBatch } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { LineageRepository } from '../lineage/lineage.repository';
import { flattenParams } from '../params';
import { RunEvents } from '../run-events';
import { paramLimit } from '../runs.errors';
import { RunsRepository } from '../runs.repository';
import { IngestRepository } from './ingest.repository';
import { prepareBatch } from './prepare-batch';

/**
 * Applies one batch in the request's transaction. The (stream, seq) ledger row
 * is written first: a retry of a committed batch finds it and changes nothing;
 * a batch that fails leaves neither the row nor any of its data.
 */
@Injectable()
export class BatchService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly ingest: IngestRepository,
    private readonly lineage: LineageRepository,
    private readonly events: RunEvents,
  ) {}

  async apply(ctx: RequestContext, ref: string, batch: RunBatch): Promise<BatchAck> {
    const prepared = prepareBatch(batch);
    const params = batch.params ? flattenParams(batch.params) : undefined;
    if (params && Object.keys(params).length > LIMITS.paramCount)
      throw paramLimit(`a batch may set at most ${LIMITS.paramCount} parameters`);
    if (batch.context && JSON.stringify(batch.context).length > LIMITS.contextBytes) throw paramLimit('context is too large');

    const run = await this.runs.find(ctx, ref);
    const fresh = await this.ingest.claimBatch(ctx, run.id, batch.streamId, batch.seq, prepared.points);
    if (!fresh) return { streamId: batch.streamId, seq: batch.seq, duplicate: true, points: 0 };

    const summaries = [
      ...prepared.numeric.map((s) => ({
        kind: s.kind,
        name: s.name,
        count: s.segment.count,
        lastStep: s.segment.lastStep,
        lastValue: s.segment.lastValue,
        lastTime: s.segment.lastTime,
        min: s.segment.min,
        max: s.segment.max,
      })),
      ...prepared.text.map((s) => ({
        kind: 'text',
        name: s.name,
        count: s.steps.length,
        lastStep: s.lastStep,
        lastValue: null,
        lastTime: s.times.at(-1) ?? null,
        min: null,
        max: null,
      })),
    ];
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
    await this.runs.touch(ctx, run.id);

    const organizationId = ctx.organization.id;
    const projectId = ctx.currentProject.id;
    ctx.afterCommit(() => this.events.emit('points', { organizationId, projectId, runId: run.id, batch }));
    return { streamId: batch.streamId, seq: batch.seq, duplicate: false, points: prepared.points };
  }
}
