import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

/** An object a media item may reference. */
export interface MediaObject {
  id: string;
  key: string;
  size: number;
  state: 'pending' | 'available';
}

/** An item whose thumbnail the background job is to make. */
export interface ThumbnailJob {
  id: string;
  organization_id: string;
  project_id: string;
  run_id: string;
  type: string;
  format: string | null;
  attempts: number;
  object_key: string;
}

/** What the server learned of an item, or it declared: the same columns written and read. */
interface MediaFacts {
  width: number | null;
  height: number | null;
  duration: number | null;
  sample_rate: number | null;
  format: string | null;
  caption: string | null;
}

/** A row to write to `media_items` (as it goes through jsonb_to_recordset). */
export interface NewMediaItem extends MediaFacts {
  key: string;
  step: number;
  idx: number;
  time: number;
  type: string;
  content_type: string | null;
  object_id: string | null;
  /** `pending` for an item the thumbnail job is to give a thumbnail. */
  thumbnail_state: 'pending' | null;
  boxes: unknown;
  data: unknown;
  metadata: unknown;
  masks: Array<{ name: string; object_id: string; class_names: unknown }>;
}

export interface MediaRow extends MediaFacts {
  run_id: string;
  key: string;
  step: string;
  idx: number;
  time: Date;
  type: string;
  content_type: string | null;
  size: string | null;
  sha256: string | null;
  object_key: string | null;
  thumbnail_key: string | null;
  thumbnail_state: 'pending' | 'ready' | 'failed' | null;
  thumbnail_error: { code: string; message: string } | null;
  boxes: Record<string, unknown> | null;
  data: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  masks: Array<{ name: string; key: string; class_names: Record<string, string> | null }> | null;
}

const ITEM_COLUMNS = `m.run_id, m.key, m.step, m.idx, m.time, m.type, m.content_type, o.size, o.sha256, o.key AS object_key,
  t.key AS thumbnail_key, m.thumbnail_state, m.thumbnail_error, m.width, m.height, m.duration, m.sample_rate, m.format, m.caption, m.boxes, m.data, m.metadata,
  (SELECT json_agg(json_build_object('name', mk.name, 'key', mo.key, 'class_names', mk.class_names) ORDER BY mk.name)
     FROM media_masks mk JOIN stored_objects mo ON mo.id = mk.object_id WHERE mk.item_id = m.id) AS masks`;

const ITEM_JOINS = `LEFT JOIN stored_objects o ON o.id = m.object_id LEFT JOIN stored_objects t ON t.id = m.thumbnail_object_id`;

/** SQL of media series: items of runs, their masks, their thumbnails. */
@Injectable()
export class MediaRepository {
  async objectsByKeys(ctx: RequestContext, keys: string[]): Promise<Map<string, MediaObject>> {
    if (keys.length === 0) return new Map();
    const rows = await queryRows<{ id: string; key: string; size: string; state: 'pending' | 'available' }>(
      ctx.em,
      `SELECT id, key, size, state FROM stored_objects WHERE organization_id = $1 AND key = ANY($2::text[])`,
      [ctx.organization.id, keys],
    );
    return new Map(rows.map((r) => [r.key, { ...r, size: Number(r.size) }]));
  }

  async countForRun(ctx: RequestContext, runId: string): Promise<number> {
    const rows = await queryRows<{ n: string }>(
      ctx.em,
      `SELECT count(*) AS n FROM media_items WHERE organization_id = $1 AND run_id = $2`,
      [ctx.organization.id, runId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Positions (key, step, index) of the run that already hold an item: logging them again replaces, it does not add. */
  async existingPositions(
    ctx: RequestContext,
    runId: string,
    positions: Array<{ key: string; step: number; idx: number }>,
  ): Promise<Set<string>> {
    if (positions.length === 0) return new Set();
    const rows = await queryRows<{ key: string; step: string; idx: number }>(
      ctx.em,
      `SELECT m.key, m.step, m.idx FROM media_items m JOIN unnest($3::text[], $4::bigint[], $5::int[]) AS p(key, step, idx)
          ON m.key = p.key AND m.step = p.step AND m.idx = p.idx
        WHERE m.organization_id = $1 AND m.run_id = $2`,
      [ctx.organization.id, runId, positions.map((p) => p.key), positions.map((p) => p.step), positions.map((p) => p.idx)],
    );
    return new Set(rows.map((r) => `${r.key}\u0000${r.step}\u0000${r.idx}`));
  }

  /**
   * Items whose thumbnail is due, locked until the transaction ends; rows another node holds are
   * skipped. System scope: the job serves every organization.
   */
  async claimThumbnails(em: EntityManager, limit: number): Promise<ThumbnailJob[]> {
    return queryRows<ThumbnailJob>(
      em,
      `SELECT m.id, m.organization_id, m.project_id, m.run_id, m.type, m.format, m.thumbnail_attempts AS attempts, o.key AS object_key
         FROM media_items m JOIN stored_objects o ON o.id = m.object_id
        WHERE m.thumbnail_state = 'pending' AND (m.thumbnail_after IS NULL OR m.thumbnail_after <= now())
        ORDER BY m.thumbnail_after NULLS FIRST, m.id LIMIT $1 FOR UPDATE OF m SKIP LOCKED`,
      [limit],
    );
  }

  /** A thumbnail the job wrote to the store: an available object of the item's run (counted in usage like any other). */
  async thumbnailObject(em: EntityManager, job: ThumbnailJob, object: { key: string; sha256: string; size: number }): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      em,
      `INSERT INTO stored_objects AS o (organization_id, project_id, run_id, key, sha256, size, content_type, state, part_size, part_count, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'image/webp', 'available', $6, 1, now())
       ON CONFLICT (organization_id, key) DO UPDATE SET touched_at = o.touched_at
       RETURNING o.id`,
      [job.organization_id, job.project_id, job.run_id, object.key, object.sha256, object.size],
    );
    await em.query(`DELETE FROM storage_deletions WHERE organization_id = $1 AND key = $2`, [job.organization_id, object.key]);
    return rows[0]!.id;
  }

  async thumbnailReady(em: EntityManager, id: string, objectId: string): Promise<void> {
    await em.query(
      `UPDATE media_items SET thumbnail_state = 'ready', thumbnail_object_id = $2, thumbnail_error = NULL, thumbnail_after = NULL WHERE id = $1`,
      [id, objectId],
    );
  }

  async thumbnailFailed(em: EntityManager, id: string, error: { code: string; message: string }): Promise<void> {
    await em.query(
      `UPDATE media_items SET thumbnail_state = 'failed', thumbnail_error = $2::jsonb, thumbnail_after = NULL,
              thumbnail_attempts = thumbnail_attempts + 1 WHERE id = $1`,
      [id, JSON.stringify(error)],
    );
  }

  /** A transient failure (the store could not be read): tried again after `delaySeconds`. */
  async thumbnailRetry(em: EntityManager, id: string, delaySeconds: number, error: { code: string; message: string }): Promise<void> {
    await em.query(
      `UPDATE media_items SET thumbnail_attempts = thumbnail_attempts + 1, thumbnail_error = $3::jsonb,
              thumbnail_after = now() + make_interval(secs => $2) WHERE id = $1`,
      [id, delaySeconds, JSON.stringify(error)],
    );
  }

  /** Writes items, replacing any at the same (key, step, index), and their masks. */
  async upsert(ctx: RequestContext, runId: string, items: NewMediaItem[]): Promise<void> {
    if (items.length === 0) return;
    const rows = await queryRows<{ id: string; key: string; step: string; idx: number }>(
      ctx.em,
      `INSERT INTO media_items AS m (organization_id, project_id, run_id, key, step, idx, time, type, content_type, object_id,
              thumbnail_state, width, height, duration, sample_rate, format, caption, boxes, data, metadata)
       SELECT $1, $2, $3, x.key, x.step, x.idx, to_timestamp(x.time / 1000.0), x.type, x.content_type, x.object_id,
              x.thumbnail_state, x.width, x.height, x.duration, x.sample_rate, x.format, x.caption, x.boxes, x.data, x.metadata
         FROM jsonb_to_recordset($4::jsonb) AS x(key text, step bigint, idx int, time double precision, type text, content_type text,
              object_id uuid, thumbnail_state text, width int, height int, duration double precision, sample_rate int, format text,
              caption text, boxes jsonb, data jsonb, metadata jsonb)
       ON CONFLICT (organization_id, run_id, key, step, idx) DO UPDATE SET time = EXCLUDED.time, type = EXCLUDED.type, content_type = EXCLUDED.content_type,
              object_id = EXCLUDED.object_id, thumbnail_object_id = NULL, thumbnail_state = EXCLUDED.thumbnail_state,
              thumbnail_attempts = 0, thumbnail_error = NULL, thumbnail_after = NULL, width = EXCLUDED.width,
              height = EXCLUDED.height, duration = EXCLUDED.duration, sample_rate = EXCLUDED.sample_rate, format = EXCLUDED.format,
              caption = EXCLUDED.caption, boxes = EXCLUDED.boxes, data = EXCLUDED.data, metadata = EXCLUDED.metadata, created_at = now()
       RETURNING m.id, m.key, m.step, m.idx`,
      [ctx.organization.id, ctx.currentProject.id, runId, JSON.stringify(items.map(({ masks: _masks, ...row }) => row))],
    );
    const ids = new Map(rows.map((r) => [`${r.key}\u0000${r.step}\u0000${r.idx}`, r.id]));
    const itemIds = rows.map((r) => r.id);
    await ctx.em.query(`DELETE FROM media_masks WHERE organization_id = $1 AND item_id = ANY($2::bigint[])`, [
      ctx.organization.id,
      itemIds,
    ]);
    const masks = items.flatMap((item) =>
      item.masks.map((mask) => ({ ...mask, item_id: ids.get(`${item.key}\u0000${item.step}\u0000${item.idx}`)! })),
    );
    if (masks.length === 0) return;
    await ctx.em.query(
      `INSERT INTO media_masks (organization_id, item_id, name, object_id, class_names)
       SELECT $1, x.item_id, x.name, x.object_id, x.class_names FROM jsonb_to_recordset($2::jsonb) AS x(item_id bigint, name text, object_id uuid, class_names jsonb)`,
      [ctx.organization.id, JSON.stringify(masks)],
    );
  }

  /** Items of one key of a run in a step range, in (step, index) order; one more than `limit` tells that there are more. */
  async list(ctx: RequestContext, runId: string, key: string, range: { from?: number; to?: number }, limit: number): Promise<MediaRow[]> {
    return queryRows<MediaRow>(
      ctx.em,
      `SELECT ${ITEM_COLUMNS} FROM media_items m ${ITEM_JOINS}
        WHERE m.organization_id = $1 AND m.run_id = $2 AND m.key = $3 AND ($4::bigint IS NULL OR m.step >= $4) AND ($5::bigint IS NULL OR m.step <= $5)
        ORDER BY m.step, m.idx LIMIT $6`,
      [ctx.organization.id, runId, key, range.from ?? null, range.to ?? null, limit + 1],
    );
  }

  /** One item, for its document. */
  async one(ctx: RequestContext, runId: string, key: string, step: number, idx: number): Promise<MediaRow | undefined> {
    const rows = await queryRows<MediaRow>(
      ctx.em,
      `SELECT ${ITEM_COLUMNS} FROM media_items m ${ITEM_JOINS}
        WHERE m.organization_id = $1 AND m.run_id = $2 AND m.key = $3 AND m.step = $4 AND m.idx = $5`,
      [ctx.organization.id, runId, key, step, idx],
    );
    return rows[0];
  }

  /** The run's media keys with their types, counts and distinct steps (first 10,000). */
  async keys(
    ctx: RequestContext,
    runId: string,
  ): Promise<Array<{ key: string; type: string; count: string; first_step: string; last_step: string; steps: string[]; times: number[] }>> {
    return queryRows(
      ctx.em,
      `SELECT s.key, min(s.type) AS type, sum(s.n) AS count, min(s.step) AS first_step, max(s.step) AS last_step,
              (array_agg(s.step ORDER BY s.step))[1:10000] AS steps,
              (array_agg(extract(epoch FROM s.time) * 1000 ORDER BY s.step))[1:10000]::float8[] AS times
         FROM (SELECT m.key, m.step, min(m.type) AS type, count(*) AS n, min(m.time) AS time
                 FROM media_items m WHERE m.organization_id = $1 AND m.run_id = $2 GROUP BY m.key, m.step) s
        GROUP BY s.key ORDER BY s.key`,
      [ctx.organization.id, runId],
    );
  }

  /**
   * The compare grid in one query: for each run (of the current project) and
   * key, the latest step at or before `step` (or the run's own step in
   * `runSteps`, where null means none; the last step without either), and its items. Each cell's choice is one descending index probe.
   */
  async grid(
    ctx: RequestContext,
    runIds: string[],
    keys: string[],
    step: number | undefined,
    runSteps: Record<string, number | null> = {},
  ): Promise<Array<MediaRow & { cell_run_id: string; cell_key: string; cell_step: string | null }>> {
    return queryRows(
      ctx.em,
      `WITH cells AS (
         SELECT r.id AS run_id, k.key,
                (SELECT c.step FROM media_items c
                  WHERE c.organization_id = $1 AND c.run_id = r.id AND c.key = k.key AND (CASE WHEN $6::jsonb -> r.id::text IS NOT NULL
                                 THEN c.step <= ($6::jsonb ->> r.id::text)::bigint
                                 ELSE ($5::bigint IS NULL OR c.step <= $5) END)
                  ORDER BY c.step DESC LIMIT 1) AS step
           FROM runs r CROSS JOIN unnest($4::text[]) WITH ORDINALITY AS k(key, ord)
          WHERE r.organization_id = $1 AND r.project_id = $2 AND r.id = ANY($3::uuid[]))
       SELECT cells.run_id AS cell_run_id, cells.key AS cell_key, cells.step AS cell_step, ${ITEM_COLUMNS}
         FROM cells LEFT JOIN media_items m ON m.organization_id = $1 AND m.run_id = cells.run_id AND m.key = cells.key AND m.step = cells.step
         ${ITEM_JOINS}
        ORDER BY cells.run_id, cells.key, m.idx`,
      [ctx.organization.id, ctx.currentProject.id, runIds, keys, step ?? null, JSON.stringify(runSteps)],
    );
  }

  /** Distinct steps of each (run, key), for the slider. */
  async gridSteps(ctx: RequestContext, runIds: string[], keys: string[]): Promise<Array<{ run_id: string; key: string; steps: string[] }>> {
    return queryRows(
      ctx.em,
      `SELECT m.run_id, m.key, (array_agg(DISTINCT m.step ORDER BY m.step))[1:10000] AS steps
         FROM media_items m WHERE m.organization_id = $1 AND m.project_id = $2 AND m.run_id = ANY($3::uuid[]) AND m.key = ANY($4::text[])
        GROUP BY m.run_id, m.key`,
      [ctx.organization.id, ctx.currentProject.id, runIds, keys],
    );
  }
}
