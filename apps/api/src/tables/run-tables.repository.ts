import { Injectable } from '@nestjs/common';
import type { TableCellAnnotation, TableColumn, TableInfo } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

/** A column as `run_tables.columns` keeps it: an image column with the annotations its `#n` cells name. */
export type StoredColumn = TableColumn & { annotations?: TableCellAnnotation[] };

/** A row of `run_tables` with what queries need of its Parquet object. */
export interface RunTableRow {
  id: string;
  run_id: string;
  key: string;
  step: string;
  columns: StoredColumn[];
  row_count: number;
  source_sha256: string;
  created_at: Date;
  object_key: string;
  object_size: string;
}

const COLUMNS = `t.id, t.run_id, t.key, t.step, t.columns, t.row_count, t.source_sha256, t.created_at, o.key AS object_key, o.size AS object_size`;

export function toTableInfo(row: RunTableRow): TableInfo {
  return {
    key: row.key,
    step: Number(row.step),
    columns: row.columns.map(({ name, type }) => ({ name, type })),
    rowCount: row.row_count,
    digest: row.source_sha256,
    createdAt: row.created_at.toISOString(),
  };
}

/** A media cell's record (`run_table_media`) with the store keys of its content and thumbnail. */
export interface TableMediaRow {
  sha256: string;
  type: string;
  content_type: string;
  width: number | null;
  height: number | null;
  duration: number | null;
  sample_rate: number | null;
  object_key: string;
  thumbnail_key: string | null;
}

export interface NewTableMedia {
  sha256: string;
  type: string;
  object_id: string;
  thumbnail_object_id: string | null;
  content_type: string;
  width: number | null;
  height: number | null;
  duration: number | null;
  sample_rate: number | null;
}

/** SQL for `run_tables`: tables logged by runs, each pointing at its Parquet object. */
@Injectable()
export class RunTablesRepository {
  /** The table at `step`, or the one of the highest step when `step` is undefined. */
  async find(ctx: RequestContext, runId: string, key: string, step?: number): Promise<RunTableRow | null> {
    const rows = await queryRows<RunTableRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM run_tables t JOIN stored_objects o ON o.id = t.object_id
        WHERE t.organization_id = $1 AND t.run_id = $2 AND t.key = $3 AND ($4::bigint IS NULL OR t.step = $4)
        ORDER BY t.step DESC LIMIT 1`,
      [ctx.organization.id, runId, key, step ?? null],
    );
    return rows[0] ?? null;
  }

  async list(ctx: RequestContext, runId: string): Promise<RunTableRow[]> {
    return queryRows<RunTableRow>(
      ctx.em,
      `SELECT ${COLUMNS} FROM run_tables t JOIN stored_objects o ON o.id = t.object_id
        WHERE t.organization_id = $1 AND t.run_id = $2 ORDER BY t.key, t.step`,
      [ctx.organization.id, runId],
    );
  }

  /**
   * Records the table at (run, key, step); a table logged again there with
   * other content replaces it, and the Parquet object no table uses any more
   * is deleted (the store follows through the deletion trigger).
   */
  async upsert(
    ctx: RequestContext,
    table: {
      runId: string;
      key: string;
      step: number;
      columns: StoredColumn[];
      rowCount: number;
      objectId: string;
      sourceObjectId: string;
      sourceSha256: string;
    },
  ): Promise<void> {
    const previous = await queryRows<{ object_id: string }>(
      ctx.em,
      `SELECT object_id FROM run_tables WHERE organization_id = $1 AND run_id = $2 AND key = $3 AND step = $4 FOR UPDATE`,
      [ctx.organization.id, table.runId, table.key, table.step],
    );
    await ctx.em.query(
      `INSERT INTO run_tables (organization_id, project_id, run_id, key, step, columns, row_count, object_id, source_object_id, source_sha256)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)
       ON CONFLICT (organization_id, run_id, key, step) DO UPDATE SET columns = EXCLUDED.columns, row_count = EXCLUDED.row_count,
         object_id = EXCLUDED.object_id, source_object_id = EXCLUDED.source_object_id, source_sha256 = EXCLUDED.source_sha256, created_at = now()`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        table.runId,
        table.key,
        table.step,
        JSON.stringify(table.columns),
        table.rowCount,
        table.objectId,
        table.sourceObjectId,
        table.sourceSha256,
      ],
    );
    const replaced = previous.map((p) => p.object_id).filter((id) => id !== table.objectId);
    if (replaced.length) {
      await ctx.em.query(
        `DELETE FROM stored_objects o WHERE o.id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM run_tables t WHERE t.object_id = o.id)`,
        [replaced],
      );
    }
  }

  /** Content objects of the run by store key (for the media cells a table names). */
  async objectsByKeys(ctx: RequestContext, keys: string[]): Promise<Map<string, { id: string; key: string; size: number; state: string }>> {
    if (keys.length === 0) return new Map();
    const rows = await queryRows<{ id: string; key: string; size: string; state: string }>(
      ctx.em,
      `SELECT id, key, size, state FROM stored_objects WHERE organization_id = $1 AND key = ANY($2::text[])`,
      [ctx.organization.id, keys],
    );
    return new Map(rows.map((r) => [r.key, { ...r, size: Number(r.size) }]));
  }

  /** Media cells of runs already checked, by run and SHA-256 (`type` too: the same bytes are checked once per type). */
  async media(ctx: RequestContext, runIds: string[], sha256s: string[]): Promise<Array<TableMediaRow & { run_id: string }>> {
    if (runIds.length === 0 || sha256s.length === 0) return [];
    return queryRows<TableMediaRow & { run_id: string }>(
      ctx.em,
      `SELECT m.run_id, m.sha256, m.type, m.content_type, m.width, m.height, m.duration, m.sample_rate,
              o.key AS object_key, t.key AS thumbnail_key
         FROM run_table_media m JOIN stored_objects o ON o.id = m.object_id LEFT JOIN stored_objects t ON t.id = m.thumbnail_object_id
        WHERE m.organization_id = $1 AND m.run_id = ANY($2::uuid[]) AND m.sha256 = ANY($3::text[])`,
      [ctx.organization.id, runIds, sha256s],
    );
  }

  async recordMedia(ctx: RequestContext, runId: string, media: NewTableMedia[]): Promise<void> {
    if (media.length === 0) return;
    await ctx.em.query(
      `INSERT INTO run_table_media (organization_id, run_id, sha256, type, object_id, thumbnail_object_id, content_type, width, height, duration, sample_rate)
       SELECT $1, $2, x.sha256, x.type, x.object_id, x.thumbnail_object_id, x.content_type, x.width, x.height, x.duration, x.sample_rate
         FROM jsonb_to_recordset($3::jsonb) AS x(sha256 text, type text, object_id uuid, thumbnail_object_id uuid, content_type text,
              width integer, height integer, duration double precision, sample_rate integer)
       ON CONFLICT (organization_id, run_id, sha256, type) DO NOTHING`,
      [ctx.organization.id, runId, JSON.stringify(media)],
    );
  }
}
