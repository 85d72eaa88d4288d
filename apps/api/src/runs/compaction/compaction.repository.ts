import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PackedSegment } from '../series/packing';
import { floatParam, fromBytes, toBytes } from '../series/packing';
import type { SegmentSize } from './compaction-plan';

type Db = Pick<EntityManager, 'query'>;

export interface SeriesKey {
  organizationId: string;
  seriesId: string;
}

/**
 * The SQL of segment compaction. It runs for every organization at once, as the
 * crash sweep and the storage janitor do, on the application's own connection
 * (not a tenant scope); every statement still names the organization.
 */
@Injectable()
export class CompactionRepository {
  /** The series with small segments among the next `limit` segments after `afterId`, and the last id seen. */
  async scan(db: Db, afterId: string, limit: number, small: number): Promise<{ lastId: string | null; series: SeriesKey[] }> {
    const rows: Array<{ last_id: string | null; organization_id: string | null; series_id: string | null }> = await db.query(
      `WITH page AS (SELECT id, organization_id, series_id, count FROM series_segments WHERE id > $1 ORDER BY id LIMIT $2)
       SELECT (SELECT max(id) FROM page)::text AS last_id, p.organization_id, p.series_id::text
         FROM (SELECT 1) one
         LEFT JOIN (SELECT DISTINCT organization_id, series_id FROM page WHERE count < $3) p ON true`,
      [afterId, limit, small],
    );
    return {
      lastId: rows[0]?.last_id ?? null,
      series: rows.filter((r) => r.series_id !== null).map((r) => ({ organizationId: r.organization_id!, seriesId: r.series_id! })),
    };
  }

  /**
   * Locks the series row as ingestion does when it folds a batch into the series, so no batch
   * of this series commits while it is compacted; false when another transaction holds it
   * (a batch in flight, or another node compacting it) and the series should be tried later.
   */
  async lockSeries(db: Db, key: SeriesKey): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT id FROM series WHERE organization_id = $1 AND id = $2 FOR UPDATE SKIP LOCKED`, [
      key.organizationId,
      key.seriesId,
    ]);
    return rows.length > 0;
  }

  /** Every numeric segment of the series, in id (arrival) order. */
  async segments(db: Db, key: SeriesKey): Promise<SegmentSize[]> {
    const rows: Array<{ id: string; count: number }> = await db.query(
      `SELECT id::text, count FROM series_segments WHERE organization_id = $1 AND series_id = $2 ORDER BY id`,
      [key.organizationId, key.seriesId],
    );
    return rows;
  }

  async points(db: Db, key: SeriesKey, ids: string[]): Promise<Array<{ steps: Float64Array; values: Float64Array; times: Float64Array }>> {
    const rows: Array<{ steps: Buffer; values: Buffer; times: Buffer }> = await db.query(
      `SELECT steps, values, times FROM series_segments WHERE organization_id = $1 AND series_id = $2 AND id = ANY($3::bigint[]) ORDER BY id`,
      [key.organizationId, key.seriesId, ids],
    );
    return rows.map((r) => ({ steps: fromBytes(r.steps), values: fromBytes(r.values), times: fromBytes(r.times) }));
  }

  /** Replaces the group's first segment with the merged one and deletes the others. */
  async replace(db: Db, key: SeriesKey, ids: string[], merged: PackedSegment): Promise<void> {
    await db.query(
      `UPDATE series_segments
          SET first_step = $3, last_step = $4, count = $5, min_value = $6, max_value = $7, steps = $8, values = $9, times = $10, chunks = $11
        WHERE organization_id = $1 AND id = $2`,
      [
        key.organizationId,
        ids[0],
        merged.firstStep,
        merged.lastStep,
        merged.count,
        floatParam(merged.min),
        floatParam(merged.max),
        toBytes(merged.steps),
        toBytes(merged.values),
        toBytes(merged.times),
        toBytes(merged.chunks),
      ],
    );
    await db.query(`DELETE FROM series_segments WHERE organization_id = $1 AND series_id = $2 AND id = ANY($3::bigint[])`, [
      key.organizationId,
      key.seriesId,
      ids.slice(1),
    ]);
  }
}
