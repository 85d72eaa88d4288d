import { Inject, Injectable } from '@nestjs/common';
import { MEDIA_LIMITS, MediaErrorCode, type ParsedMediaItem, type RefusedMedia } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { objectKeys } from '../storage/object-keys';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { checkMask, decodeContent, type Decoded } from './media-decode';
import { checkItems, type CheckedItem } from './media-items';
import { MediaRepository, type MediaObject, type NewMediaItem } from './media.repository';

export interface MediaOutcome {
  stored: number;
  refused: RefusedMedia[];
}

const missing = (what: string) =>
  new AppError(
    400,
    MediaErrorCode.MediaObjectMissing,
    `${what} is not stored for this run: upload it (POST …/media/objects, then complete the upload) before logging the item`,
  );

/**
 * Stores the media items of a batch in the batch's transaction. Each item is
 * checked, its content object found (uploaded and verified beforehand), its
 * bytes sniffed (images decoded fully); an item that fails any of this is
 * refused on its own and the rest are written. Items with pixels are stored
 * with a pending thumbnail, which `MediaThumbnailer` makes in the background.
 */
@Injectable()
export class MediaIngestService {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly repository: MediaRepository,
  ) {}

  async store(ctx: RequestContext, runId: string, raw: unknown[]): Promise<MediaOutcome> {
    const { items, refused } = checkItems(raw);
    const refuse = (c: CheckedItem, error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      refused.push({
        index: c.position,
        key: c.item.key,
        step: c.item.step,
        status: error.status,
        code: error.code,
        message: error.message,
      });
    };
    const within = await this.withinRunLimit(ctx, runId, items, refuse);
    const prefix = objectKeys.run(ctx.organization.id, ctx.currentProject.id, runId);
    const keyOf = (sha256: string) => objectKeys.content(prefix, sha256);
    const objects = await this.repository.objectsByKeys(
      ctx,
      within.flatMap((c) => [
        ...(c.item.sha256 ? [keyOf(c.item.sha256)] : []),
        ...Object.values(c.item.masks ?? {}).map((m) => keyOf(m.sha256)),
      ]),
    );
    const rows: NewMediaItem[] = [];
    for (const c of within) {
      try {
        rows.push(await this.prepare(c.item, objects, keyOf));
      } catch (error) {
        refuse(c, error);
      }
    }
    await this.repository.upsert(ctx, runId, rows);
    refused.sort((a, b) => a.index - b.index);
    return { stored: rows.length, refused: refused.map((r) => ({ ...r, path: `media.${r.index}` })) };
  }

  /** Items beyond the run's limit are refused (413); positions that already hold an item replace it and count nothing. */
  private async withinRunLimit(ctx: RequestContext, runId: string, items: CheckedItem[], refuse: (c: CheckedItem, e: unknown) => void) {
    if (items.length === 0) return items;
    const count = await this.repository.countForRun(ctx, runId);
    if (count + items.length <= MEDIA_LIMITS.itemsPerRun) return items;
    const existing = await this.repository.existingPositions(
      ctx,
      runId,
      items.map((c) => ({ key: c.item.key, step: c.item.step, idx: c.item.index })),
    );
    let room = MEDIA_LIMITS.itemsPerRun - count;
    return items.filter((c) => {
      if (existing.has(`${c.item.key}\u0000${c.item.step}\u0000${c.item.index}`)) return true;
      if (room > 0) {
        room--;
        return true;
      }
      refuse(c, new AppError(413, MediaErrorCode.MediaRunLimit, `a run may hold at most ${MEDIA_LIMITS.itemsPerRun} media items`));
      return false;
    });
  }

  private async prepare(
    item: ParsedMediaItem,
    objects: Map<string, MediaObject>,
    keyOf: (sha256: string) => string,
  ): Promise<NewMediaItem> {
    let decoded: Decoded | undefined;
    let objectId: string | null = null;
    if (item.sha256) {
      const object = this.available(objects, keyOf(item.sha256), item.size!, `the content object ${item.sha256}`);
      const limit = item.type === 'image' ? MEDIA_LIMITS.imageBytes : MEDIA_LIMITS.fileBytes;
      if (object.size > limit) throw new AppError(413, MediaErrorCode.MediaTooLarge, `a ${item.type} may have at most ${limit} bytes`);
      decoded = await decodeContent(item, await this.read(object.key));
      objectId = object.id;
    }
    const masks: NewMediaItem['masks'] = [];
    for (const [name, mask] of Object.entries(item.masks ?? {})) {
      const object = this.available(objects, keyOf(mask.sha256), mask.size, `mask "${name}"`);
      await checkMask(await this.read(object.key), name, decoded?.width, decoded?.height);
      masks.push({ name, object_id: object.id, class_names: mask.classNames ?? null });
    }
    return {
      key: item.key,
      step: item.step,
      idx: item.index,
      time: item.time,
      type: item.type,
      content_type: decoded?.contentType ?? (item.type === 'markdown' ? 'text/markdown' : null),
      object_id: objectId,
      thumbnail_state: decoded?.needsThumbnail ? 'pending' : null,
      width: decoded?.width ?? null,
      height: decoded?.height ?? null,
      duration: item.duration ?? decoded?.duration ?? null,
      sample_rate: item.sampleRate ?? decoded?.sampleRate ?? null,
      format: item.format ?? null,
      caption: item.caption ?? null,
      boxes: item.boxes ?? null,
      data: item.data ?? null,
      metadata: item.metadata ?? null,
      masks,
    };
  }

  private available(objects: Map<string, MediaObject>, key: string, size: number, what: string): MediaObject {
    const object = objects.get(key);
    if (!object || object.state !== 'available') throw missing(what);
    if (object.size !== size)
      throw new AppError(400, MediaErrorCode.InvalidMediaItem, `${what} is stored with ${object.size} bytes, not ${size}`);
    return object;
  }

  private async read(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.driver.read(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
