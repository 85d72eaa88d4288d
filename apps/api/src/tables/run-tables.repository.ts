import { Injectable } from '@nestjs/common';
import type { TableColumn, TableInfo } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

/** A row of `run_tables` with what queries need of its Parquet object. */
export interface RunTableRow {
  id: string;
  run_id: string;
  key: string;
  step: string;
  columns: TableColumn[];
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
    columns: row.columns,
    rowCount: row.row_count,
    digest: row.source_sha256,
    createdAt: row.created_at.toISOString(),
  };
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
      columns: TableColumn[];
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
       ON CONFLICT (run_id, key, step) DO UPDATE SET columns = EXCLUDED.columns, row_count = EXCLUDED.row_count,
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
}
