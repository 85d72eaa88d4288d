import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { TABLE_DOCUMENT_CONTENT_TYPE, TABLE_LIMITS, type MediaItem, type RefusedMedia } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { RunFilesRepository } from '../../files/run-files.repository';
import { BatchService } from '../../runs/ingest/batch.service';
import { objectKeys } from '../../storage/object-keys';
import type { StoredObjectRow } from '../../storage/stored-object';
import { UploadsService } from '../../storage/uploads.service';
import { RunTablesService } from '../../tables/run-tables.service';
import { tableTooLarge } from '../../tables/tables.errors';
import { WandbRepository } from '../wandb.repository';
import type { PlacedMediaRef } from './media-values';
import { wandbTableDocument } from './wandb-table';

/** Tables whose file is stored, to be made once the batch of their row is applied. */
export type ReadyTable = { ref: PlacedMediaRef & { kind: 'table' }; object: StoredObjectRow };

/**
 * Media the `wandb` client logs: the history row names a file the client
 * uploads apart (`CreateRunFiles`, `media/images/…`, `media/table/…`), before
 * or after the row. A row whose file is stored becomes a Trackbase media item
 * (in the row's batch) or a table at once; otherwise it waits
 * (`wandb_pending_media`) until the upload of that path completes. Both sides
 * hold the run's W&B state row locked, so neither can miss the other.
 */
@Injectable()
export class WandbMediaService {
  private readonly logger = new Logger('WandbMedia');

  constructor(
    private readonly runFiles: RunFilesRepository,
    private readonly uploads: UploadsService,
    private readonly tables: RunTablesService,
    private readonly batches: BatchService,
    private readonly repository: WandbRepository,
  ) {}

  /** Items for the row's batch and the tables ready to make; what is not uploaded yet waits. Call with the state row locked. */
  async resolve(ctx: RequestContext, runId: string, refs: PlacedMediaRef[]): Promise<{ media: MediaItem[]; tables: ReadyTable[] }> {
    const media: MediaItem[] = [];
    const tables: ReadyTable[] = [];
    const waiting: Array<{ path: string; ref: object }> = [];
    const files = new Map<string, StoredObjectRow | null>();
    for (const ref of refs) {
      if (ref.kind === 'histogram') {
        media.push({ key: ref.key, step: ref.step, time: ref.time, type: 'histogram', data: { edges: ref.edges, counts: ref.counts } });
        continue;
      }
      if (!files.has(ref.path)) files.set(ref.path, await this.runFiles.find(ctx, runId, ref.path));
      const object = files.get(ref.path);
      if (object?.state !== 'available') waiting.push({ path: ref.path, ref });
      else if (ref.kind === 'table') tables.push({ ref, object });
      else {
        media.push({
          key: ref.key,
          step: ref.step,
          time: ref.time,
          index: ref.index,
          type: 'image',
          sha256: object.sha256,
          size: Number(object.size),
          ...(ref.caption ? { caption: ref.caption } : {}),
        });
      }
    }
    await this.repository.addPendingMedia(ctx, runId, waiting);
    return { media, tables };
  }

  /** Makes the tables of `resolve` (after their row's batch: the run's tables are read by key and step). */
  async storeTables(ctx: RequestContext, runId: string, ready: ReadyTable[]): Promise<void> {
    for (const { ref, object } of ready) {
      try {
        if (Number(object.size) > TABLE_LIMITS.maxSourceBytes) {
          throw tableTooLarge(`a table file may hold at most ${TABLE_LIMITS.maxSourceBytes} bytes`);
        }
        const body = Buffer.from(JSON.stringify(wandbTableDocument(await this.uploads.readObject(object))));
        const sha256 = createHash('sha256').update(body).digest('hex');
        const prefix = objectKeys.run(ctx.organization.id, ctx.currentProject.id, runId);
        await this.uploads.storeServerObject(ctx, { runId }, objectKeys.content(prefix, sha256), body, TABLE_DOCUMENT_CONTENT_TYPE);
        const { tables } = await this.tables.declare(ctx, runId, [{ key: ref.key, step: ref.step, size: body.length, sha256 }]);
        const rejected = tables.find((t) => t.state === 'rejected');
        if (rejected) throw new AppError(rejected.error!.status, rejected.error!.code, rejected.error!.message);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        this.logger.warn(
          { runId, key: ref.key, step: ref.step, path: ref.path, code: error.code, message: error.message },
          'W&B table not stored',
        );
      }
    }
  }

  /** After the upload of a run file: what waited for it is stored now. Call with the state row locked (`state.batch_seq` read under it). */
  async fileArrived(ctx: RequestContext, runId: string, path: string, batchSeq: number): Promise<void> {
    const refs = (await this.repository.takePendingMedia(ctx, runId, path)) as PlacedMediaRef[];
    if (!refs.length) return;
    const { media, tables } = await this.resolve(ctx, runId, refs);
    if (media.length) {
      const ack = await this.batches.apply(ctx, runId, { streamId: 'wandb', seq: batchSeq, media });
      await this.repository.saveState(ctx, runId, { batch_seq: batchSeq + 1 });
      this.reportRefused(runId, ack.media?.refused);
    }
    await this.storeTables(ctx, runId, tables);
  }

  reportRefused(runId: string, refused: RefusedMedia[] | undefined): void {
    for (const r of refused ?? []) {
      this.logger.warn({ runId, key: r.key, step: r.step, code: r.code, message: r.message }, 'W&B media item not stored');
    }
  }
}
