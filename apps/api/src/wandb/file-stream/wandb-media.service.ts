import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  MEDIA_LIMITS,
  TABLE_DOCUMENT_CONTENT_TYPE,
  TABLE_LIMITS,
  type BoxGroup,
  type MediaItem,
  type RefusedMedia,
} from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { RunFilesRepository } from '../../files/run-files.repository';
import { BatchService } from '../../runs/ingest/batch.service';
import { RunsRepository } from '../../runs/runs.repository';
import { objectKeys } from '../../storage/object-keys';
import type { StoredObjectRow } from '../../storage/stored-object';
import { UploadsService } from '../../storage/uploads.service';
import { RunTablesService } from '../../tables/run-tables.service';
import { tableTooLarge } from '../../tables/tables.errors';
import { WandbRepository } from '../wandb.repository';
import { pathsOf, type PlacedMediaRef } from './media-values';
import { classNamesOf, wandbBoxGroup } from './wandb-boxes';
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
    private readonly runs: RunsRepository,
  ) {}

  /** Items for the row's batch and the tables ready to make; what is not uploaded yet waits. Call with the state row locked. */
  async resolve(ctx: RequestContext, runId: string, refs: PlacedMediaRef[]): Promise<{ media: MediaItem[]; tables: ReadyTable[] }> {
    const media: MediaItem[] = [];
    const tables: ReadyTable[] = [];
    const waiting: Array<{ path: string; ref: object }> = [];
    const files = new Map<string, StoredObjectRow | null>();
    const stored = async (path: string) => {
      if (!files.has(path)) files.set(path, await this.runFiles.find(ctx, runId, path));
      const object = files.get(path);
      return object?.state === 'available' ? object : null;
    };
    let maskLabels: Record<string, unknown> | undefined;
    for (const ref of refs) {
      if (ref.kind === 'histogram') {
        media.push({ key: ref.key, step: ref.step, time: ref.time, type: 'histogram', data: { edges: ref.edges, counts: ref.counts } });
        continue;
      }
      // An item is made once every file it names is stored (an image's boxes and masks are files of their own).
      let missing: string | undefined;
      for (const path of pathsOf(ref)) {
        if (!(await stored(path))) {
          missing = path;
          break;
        }
      }
      if (missing) {
        waiting.push({ path: missing, ref });
        continue;
      }
      const object = (await stored(ref.path))!;
      const at = { key: ref.key, step: ref.step, time: ref.time, sha256: object.sha256, size: Number(object.size) };
      const captioned = ref.kind !== 'table' && ref.caption ? { caption: ref.caption } : {};
      if (ref.kind === 'table') tables.push({ ref, object });
      else if (ref.kind === 'file') {
        media.push({
          ...at,
          index: ref.index,
          type: ref.type,
          ...captioned,
          ...(ref.type === 'figure' ? { format: 'plotly' as const } : {}),
        });
      } else {
        const item: MediaItem = { ...at, index: ref.index, type: 'image', ...captioned };
        if (ref.boxes) item.boxes = await this.boxes(runId, ref, ref.boxes, stored);
        if (ref.masks) {
          maskLabels ??= await this.maskLabels(ctx, runId);
          item.masks = {};
          for (const [group, path] of Object.entries(ref.masks)) {
            const mask = (await stored(path))!;
            const classNames = classNamesOf(maskLabels[`${ref.key}_wandb_delimeter_${group}`]);
            item.masks[group] = { sha256: mask.sha256, size: Number(mask.size), ...(classNames ? { classNames } : {}) };
          }
        }
        media.push(item);
      }
    }
    await this.repository.addPendingMedia(ctx, runId, waiting);
    return { media, tables };
  }

  /** The box groups of an image, read from their files; a group that cannot be read is left out (and logged). */
  private async boxes(
    runId: string,
    ref: PlacedMediaRef,
    groups: Record<string, string>,
    stored: (path: string) => Promise<StoredObjectRow | null>,
  ): Promise<Record<string, BoxGroup>> {
    const out: Record<string, BoxGroup> = {};
    for (const [group, path] of Object.entries(groups)) {
      const object = (await stored(path))!;
      let parsed: BoxGroup | null = null;
      if (Number(object.size) <= MEDIA_LIMITS.dataBytes) {
        try {
          parsed = wandbBoxGroup(JSON.parse((await this.uploads.readObject(object)).toString('utf8')));
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
        }
      }
      if (parsed) out[group] = parsed;
      else this.logger.warn({ runId, key: ref.key, step: ref.step, path }, 'W&B box group not stored (not a box file of at most 1 MiB)');
    }
    return out;
  }

  /**
   * Class labels of masks: the client keeps them in its config (`_wandb["mask/class_labels"]`, by
   * `<key>_wandb_delimeter_<group>`), sent with UpsertBucket; a row read before that config has none.
   */
  private async maskLabels(ctx: RequestContext, runId: string): Promise<Record<string, unknown>> {
    const run = await this.runs.find(ctx, runId, { withContext: true });
    const context = (run as { context?: { wandb?: { _wandb?: Record<string, unknown> } } }).context;
    const labels = context?.wandb?._wandb?.['mask/class_labels'];
    return labels && typeof labels === 'object' && !Array.isArray(labels) ? (labels as Record<string, unknown>) : {};
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
