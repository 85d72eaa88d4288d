import { Inject, Injectable } from '@nestjs/common';
import {
  MEDIA_LIMITS,
  MediaErrorCode,
  type DeclareFilesResponse,
  type FileDeclaration,
  type MediaGrid,
  type MediaGridRequest,
  type MediaKeys,
  type MediaList,
  type MediaType,
  type StoredMedia,
} from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AppError, notFound } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RunsRepository } from '../runs/runs.repository';
import { absoluteUrl } from '../storage/absolute-url';
import { stableSigning } from '../storage/stable-urls';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { UploadsService } from '../storage/uploads.service';
import { MediaRepository, type MediaRow } from './media.repository';

/** Documents are never served for a browser to render: the app draws them in a sandboxed frame from their text. */
const DOCUMENT_TYPES = new Set(['text/html; charset=utf-8', 'image/svg+xml', 'application/json']);

/** Reading media series, and declaring the content objects items will reference. */
@Injectable()
export class MediaService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly repository: MediaRepository,
    private readonly uploads: UploadsService,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Content objects of the run for media items (paths only name them in the
   * answer): the same upload protocol as run files, deduplicated by SHA-256,
   * counted against the quota, without appearing among the run's files.
   */
  async declareObjects(ctx: RequestContext, runRef: string, declared: FileDeclaration[]): Promise<DeclareFilesResponse> {
    const run = await this.runs.find(ctx, runRef);
    const objects = await this.uploads.declare(ctx, { runId: run.id }, declared);
    return { files: await Promise.all(declared.map((f, i) => this.uploads.result(ctx, f.path, objects[i]!))) };
  }

  async keys(ctx: RequestContext, runRef: string): Promise<MediaKeys> {
    const run = await this.runs.find(ctx, runRef);
    const rows = await this.repository.keys(ctx, run.id);
    return {
      runId: run.id,
      keys: rows.map((r) => ({
        key: r.key,
        type: r.type as MediaType,
        count: Number(r.count),
        firstStep: Number(r.first_step),
        lastStep: Number(r.last_step),
        steps: r.steps.map(Number),
        times: r.times.map(Number),
      })),
    };
  }

  async list(
    ctx: RequestContext,
    runRef: string,
    query: { key: string; fromStep?: number; toStep?: number; limit?: number },
  ): Promise<MediaList> {
    const run = await this.runs.find(ctx, runRef);
    const limit = query.limit ?? MEDIA_LIMITS.readItems;
    const rows = await this.repository.list(ctx, run.id, query.key, { from: query.fromStep, to: query.toStep }, limit);
    const items = await Promise.all(rows.slice(0, limit).map((r) => this.toStored(ctx, r)));
    return { items, truncated: rows.length > limit };
  }

  async grid(ctx: RequestContext, request: MediaGridRequest): Promise<MediaGrid> {
    const runIds = [...new Set(request.runs)];
    const keys = [...new Set(request.keys)];
    const rows = await this.repository.grid(ctx, runIds, keys, request.step, request.runSteps);
    const steps = request.withSteps ? await this.repository.gridSteps(ctx, runIds, keys) : [];
    const stepsOf = new Map(steps.map((s) => [`${s.run_id}\u0000${s.key}`, s.steps.map(Number)]));
    const cells = new Map<string, MediaGrid['cells'][number]>();
    for (const row of rows) {
      const id = `${row.cell_run_id}\u0000${row.cell_key}`;
      let cell = cells.get(id);
      if (!cell) {
        cell = { runId: row.cell_run_id, key: row.cell_key, step: row.cell_step === null ? null : Number(row.cell_step), items: [] };
        if (request.withSteps) cell.steps = stepsOf.get(id) ?? [];
        cells.set(id, cell);
      }
      if (row.type) cell.items.push(await this.toStored(ctx, row));
    }
    return { cells: [...cells.values()] };
  }

  /** The text of an HTML, SVG or figure-specification item, for the app to render in its sandbox. */
  async document(ctx: RequestContext, runRef: string, query: { key: string; step: number; index: number }) {
    const run = await this.runs.find(ctx, runRef);
    const row = await this.repository.one(ctx, run.id, query.key, query.step, query.index);
    if (!row || !row.object_key || !row.content_type || !DOCUMENT_TYPES.has(row.content_type)) throw notFound('media document');
    if (Number(row.size) > MEDIA_LIMITS.documentBytes)
      throw new AppError(
        413,
        MediaErrorCode.MediaTooLarge,
        `the document is larger than ${MEDIA_LIMITS.documentBytes} bytes; download it instead`,
      );
    const chunks: Buffer[] = [];
    for await (const chunk of await this.driver.read(row.object_key)) chunks.push(chunk as Buffer);
    return { contentType: row.content_type, format: row.format, text: Buffer.concat(chunks).toString('utf8') };
  }

  /**
   * The bytes of an item's thumbnail (WebP, at most 256 px), or of a small image itself when it has no
   * thumbnail: for exports that embed images as data URIs. Null for anything else.
   */
  async thumbnailBytes(
    ctx: RequestContext,
    runId: string,
    item: { key: string; step: number; index: number },
    maxBytes: number,
  ): Promise<{ contentType: string; bytes: Buffer } | null> {
    const row = await this.repository.one(ctx, runId, item.key, item.step, item.index);
    if (!row || row.type !== 'image') return null;
    const [key, contentType] = row.thumbnail_key ? [row.thumbnail_key, 'image/webp'] : [row.object_key, row.content_type];
    if (!key || !contentType || !/^image\/(png|jpeg|gif|webp)$/.test(contentType)) return null;
    if (!row.thumbnail_key && Number(row.size) > maxBytes) return null;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.driver.read(key)) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return null;
      chunks.push(chunk as Buffer);
    }
    return { contentType, bytes: Buffer.concat(chunks) };
  }

  private async url(ctx: RequestContext, key: string | null, contentType: string | null, name?: string): Promise<string | null> {
    if (!key) return null;
    // Content-addressed objects: the same URL all window long, so the slider's grids reuse what the browser holds.
    const url = await this.driver.presignGet(key, {
      ...stableSigning(this.config.MEDIA_URL_WINDOW_SECONDS),
      // Documents download as files, never render on the store's origin.
      ...(contentType && DOCUMENT_TYPES.has(contentType) ? { contentType: 'text/plain; charset=utf-8', downloadName: name } : {}),
      ...(contentType && !DOCUMENT_TYPES.has(contentType) ? { contentType } : {}),
    });
    return absoluteUrl(ctx.origin, url);
  }

  private async toStored(ctx: RequestContext, r: MediaRow): Promise<StoredMedia> {
    const masks = r.masks?.length
      ? Object.fromEntries(
          await Promise.all(
            r.masks.map(async (m) => [
              m.name,
              { ...(m.class_names ? { classNames: m.class_names } : {}), url: (await this.url(ctx, m.key, 'image/png'))! },
            ]),
          ),
        )
      : null;
    return {
      runId: r.run_id,
      key: r.key,
      step: Number(r.step),
      index: r.idx,
      time: r.time.getTime(),
      type: r.type as MediaType,
      contentType: r.content_type,
      size: r.size === null ? null : Number(r.size),
      sha256: r.sha256,
      width: r.width,
      height: r.height,
      duration: r.duration,
      sampleRate: r.sample_rate,
      format: r.format,
      caption: r.caption,
      boxes: r.boxes as StoredMedia['boxes'],
      masks,
      data: r.data,
      metadata: r.metadata,
      url: await this.url(ctx, r.object_key, r.content_type, `${r.key.replace(/[^\w.-]+/g, '_')}-${r.step}-${r.idx}`),
      thumbnailUrl: await this.url(ctx, r.thumbnail_key, 'image/webp'),
      thumbnailState: r.thumbnail_state,
      thumbnailError: r.thumbnail_state === 'failed' ? r.thumbnail_error : null,
    };
  }
}
