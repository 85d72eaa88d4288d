import { Inject, Injectable } from '@nestjs/common';
import {
  isTableMediaType,
  MEDIA_LIMITS,
  MediaErrorCode,
  TABLE_LIMITS,
  type TableCell,
  type TableCellAnnotationView,
  type TableMedia,
  type TableMediaType,
} from '@trackbase/contracts';
import { createHash } from 'node:crypto';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { checkMask, decodeImage, makeThumbnail, sniffAudio, type Decoded } from '../media/media-decode';
import { absoluteUrl } from '../storage/absolute-url';
import { stableSigning } from '../storage/stable-urls';
import { objectKeys } from '../storage/object-keys';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { UploadsService } from '../storage/uploads.service';
import { RunTablesRepository, type NewTableMedia, type TableMediaRow } from './run-tables.repository';
import { parseMediaCell, type CheckedTable } from './table-document';
import type { StoredColumn } from './run-tables.repository';
import { tableTooLarge } from './tables.errors';

/**
 * Media cells of tables: a column of type image or audio holds, per row, the
 * SHA-256 of a content object of the run (uploaded like a media item's).
 * When a table is stored, every object it names is checked once per run —
 * uploaded, within the media limits, its bytes decoded as what the column
 * says — and an image gets a thumbnail; a table naming anything that fails is
 * refused with the media error code. A page of rows resolves its cells to
 * signed URLs in one query.
 */
@Injectable()
export class TableMediaService {
  constructor(
    private readonly tables: RunTablesRepository,
    private readonly uploads: UploadsService,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(ctx: RequestContext, runId: string, table: CheckedTable): Promise<void> {
    // Each object with the first cell that names it (for the error message).
    const named = new Map<string, { type: TableMediaType; column: string; row: number }>();
    table.columns.forEach((column, c) => {
      if (!isTableMediaType(column.type)) return;
      const type = column.type;
      table.data[c]!.forEach((cell, row) => {
        if (typeof cell !== 'string') return;
        const { sha256 } = parseMediaCell(cell);
        if (!named.has(`${type}:${sha256}`)) named.set(`${type}:${sha256}`, { type, column: column.name, row });
      });
    });
    if (named.size === 0) return;
    if (named.size > TABLE_LIMITS.mediaObjects)
      throw tableTooLarge(`a table may name at most ${TABLE_LIMITS.mediaObjects} distinct media objects, this one names ${named.size}`);
    const sha256s = [...new Set([...named.keys()].map((k) => k.slice(k.indexOf(':') + 1)))];
    const known = new Set((await this.tables.media(ctx, [runId], sha256s)).map((m) => `${m.type}:${m.sha256}`));
    const todo = [...named.entries()].filter(([k]) => !known.has(k));
    if (todo.length === 0) return this.checkAnnotations(ctx, runId, table);
    const prefix = objectKeys.run(ctx.organization.id, ctx.currentProject.id, runId);
    const keyOf = (sha256: string) => objectKeys.content(prefix, sha256);
    const objects = await this.tables.objectsByKeys(
      ctx,
      todo.map(([k]) => keyOf(k.slice(k.indexOf(':') + 1))),
    );
    const records: NewTableMedia[] = [];
    for (const [k, at] of todo) {
      const sha256 = k.slice(k.indexOf(':') + 1);
      const where = `the ${at.type} in row ${at.row} of column "${at.column}"`;
      const object = objects.get(keyOf(sha256));
      if (!object || object.state !== 'available')
        throw new AppError(
          400,
          MediaErrorCode.MediaObjectMissing,
          `${where} (${sha256}) is not stored for this run: upload it (POST …/media/objects, then complete the upload) before declaring the table`,
        );
      const limit = at.type === 'image' ? MEDIA_LIMITS.imageBytes : MEDIA_LIMITS.fileBytes;
      if (object.size > limit)
        throw new AppError(413, MediaErrorCode.MediaTooLarge, `${where}: a ${at.type} may have at most ${limit} bytes`);
      const bytes = await this.read(object.key);
      let decoded: Decoded;
      let thumbnail: Buffer | undefined;
      try {
        decoded = at.type === 'image' ? await decodeImage(bytes) : sniffAudio(bytes);
        // A table's images are decoded fully here, with the rest of the table's conversion.
        if (decoded.needsThumbnail) thumbnail = await makeThumbnail(bytes);
      } catch (error) {
        if (error instanceof AppError) throw new AppError(error.status, error.code, `${where}: ${error.message}`);
        throw error;
      }
      let thumbnailId: string | null = null;
      if (thumbnail) {
        const digest = createHash('sha256').update(thumbnail).digest('hex');
        thumbnailId = (await this.uploads.storeServerObject(ctx, { runId }, keyOf(digest), thumbnail, 'image/webp')).id;
      }
      records.push({
        sha256,
        type: at.type,
        object_id: object.id,
        thumbnail_object_id: thumbnailId,
        content_type: decoded.contentType,
        width: decoded.width ?? null,
        height: decoded.height ?? null,
        duration: decoded.duration ?? null,
        sample_rate: decoded.sampleRate ?? null,
      });
    }
    await this.tables.recordMedia(ctx, runId, records);
    await this.checkAnnotations(ctx, runId, table);
  }

  /**
   * Masks of annotated image cells: each an uploaded PNG class map of the size of every image whose
   * cell names it (`media_object_missing`, `media_undecodable`, `media_type_mismatch`, `invalid_media_item`).
   */
  private async checkAnnotations(ctx: RequestContext, runId: string, table: CheckedTable): Promise<void> {
    const uses: Array<{ column: string; row: number; sha256: string; annotation: number }> = [];
    table.columns.forEach((column, c) => {
      if (!table.annotations[column.name]?.some((a) => a.masks && Object.keys(a.masks).length)) return;
      table.data[c]!.forEach((cell, row) => {
        if (typeof cell !== 'string') return;
        const { sha256, annotation } = parseMediaCell(cell);
        if (annotation !== undefined && table.annotations[column.name]![annotation]!.masks)
          uses.push({ column: column.name, row, sha256, annotation });
      });
    });
    if (uses.length === 0) return;
    const sizes = new Map(
      (await this.tables.media(ctx, [runId], [...new Set(uses.map((u) => u.sha256))])).map((m) => [m.sha256, [m.width, m.height]]),
    );
    const prefix = objectKeys.run(ctx.organization.id, ctx.currentProject.id, runId);
    const keyOf = (sha256: string) => objectKeys.content(prefix, sha256);
    const maskShas = new Set(uses.flatMap((u) => Object.values(table.annotations[u.column]![u.annotation]!.masks!).map((m) => m.sha256)));
    const objects = await this.tables.objectsByKeys(ctx, [...maskShas].map(keyOf));
    const bytes = new Map<string, Buffer>();
    const checked = new Set<string>();
    for (const u of uses) {
      const [width, height] = sizes.get(u.sha256) ?? [];
      for (const [name, mask] of Object.entries(table.annotations[u.column]![u.annotation]!.masks!)) {
        const id = `${mask.sha256}:${width}x${height}`;
        if (checked.has(id)) continue;
        const where = `mask "${name}" of the image in row ${u.row} of column "${u.column}"`;
        const object = objects.get(keyOf(mask.sha256));
        if (!object || object.state !== 'available' || object.size !== mask.size)
          throw new AppError(
            400,
            MediaErrorCode.MediaObjectMissing,
            `${where} (${mask.sha256}) is not stored for this run with ${mask.size} bytes`,
          );
        if (!bytes.has(mask.sha256)) bytes.set(mask.sha256, await this.read(object.key));
        try {
          await checkMask(bytes.get(mask.sha256)!, name, width ?? undefined, height ?? undefined);
        } catch (error) {
          if (error instanceof AppError)
            throw new AppError(error.status, error.code, `row ${u.row} of column "${u.column}": ${error.message}`);
          throw error;
        }
        checked.add(id);
      }
    }
  }

  /**
   * The media cells of a page: `columns[i]` of `rows` belongs to run `runIds[i]` (one run for a plain page).
   * Media by SHA-256; annotated image cells' captions, boxes and masks by `<column index>#<n>`.
   */
  async resolve(
    ctx: RequestContext,
    columns: Array<StoredColumn & { runId: string }>,
    rows: TableCell[][],
  ): Promise<{ media?: Record<string, TableMedia>; annotations?: Record<string, TableCellAnnotationView> }> {
    const media = columns.map((c, i) => ({ ...c, i })).filter((c) => isTableMediaType(c.type));
    if (media.length === 0) return {};
    const wanted = new Map<string, Set<string>>(); // run → sha256s
    const annotations: Record<string, TableCellAnnotationView> = {};
    for (const row of rows)
      for (const c of media) {
        const cell = row[c.i];
        if (typeof cell !== 'string') continue;
        const { sha256, annotation } = parseMediaCell(cell);
        (wanted.get(c.runId) ?? wanted.set(c.runId, new Set()).get(c.runId)!).add(sha256);
        const id = `${c.i}#${annotation}`;
        const a = annotation === undefined ? undefined : c.annotations?.[annotation];
        if (a && !annotations[id]) annotations[id] = await this.annotationView(ctx, c.runId, a);
      }
    const found = await this.tables.media(ctx, [...wanted.keys()], [...new Set([...wanted.values()].flatMap((s) => [...s]))]);
    const out: Record<string, TableMedia> = {};
    for (const m of found) {
      if (out[m.sha256] || !wanted.get(m.run_id)?.has(m.sha256)) continue;
      out[m.sha256] = await this.toMedia(ctx, m);
    }
    return { media: out, ...(Object.keys(annotations).length ? { annotations } : {}) };
  }

  private async annotationView(
    ctx: RequestContext,
    runId: string,
    a: NonNullable<StoredColumn['annotations']>[number],
  ): Promise<TableCellAnnotationView> {
    const prefix = objectKeys.run(ctx.organization.id, ctx.currentProject.id, runId);
    const masks = a.masks
      ? Object.fromEntries(
          await Promise.all(
            Object.entries(a.masks).map(async ([name, m]) => [
              name,
              {
                ...(m.classNames ? { classNames: m.classNames } : {}),
                url: absoluteUrl(
                  ctx.origin,
                  await this.driver.presignGet(objectKeys.content(prefix, m.sha256), {
                    ...stableSigning(this.config.MEDIA_URL_WINDOW_SECONDS),
                    contentType: 'image/png',
                  }),
                ),
              },
            ]),
          ),
        )
      : undefined;
    return {
      ...(a.caption !== undefined ? { caption: a.caption } : {}),
      ...(a.boxes ? { boxes: a.boxes } : {}),
      ...(masks ? { masks } : {}),
    };
  }

  private async toMedia(ctx: RequestContext, m: TableMediaRow): Promise<TableMedia> {
    const sign = async (key: string, contentType: string) =>
      absoluteUrl(ctx.origin, await this.driver.presignGet(key, { ...stableSigning(this.config.MEDIA_URL_WINDOW_SECONDS), contentType }));
    return {
      type: m.type as TableMediaType,
      contentType: m.content_type,
      url: await sign(m.object_key, m.content_type),
      thumbnailUrl: m.thumbnail_key ? await sign(m.thumbnail_key, 'image/webp') : null,
      width: m.width,
      height: m.height,
      duration: m.duration,
      sampleRate: m.sample_rate,
    };
  }

  private async read(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.driver.read(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
