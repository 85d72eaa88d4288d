import { Injectable } from '@nestjs/common';
import type { FileEntry } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';
import { upperBound } from '../storage/object-keys';
import { OBJECT_COLUMNS, type StoredObjectRow } from '../storage/stored-object';

/** SQL for `run_files`: paths of a run pointing at content objects. */
@Injectable()
export class RunFilesRepository {
  /**
   * Points each path at its object. New content for a path that holds
   * available content waits beside it (`pending_object_id`) and takes its
   * place when its upload completes (trigger `stored_objects_available`), so
   * the old content stays readable meanwhile. Content no path points at any
   * more is deleted (the store follows through the deletion trigger).
   * Returns each path's creation time.
   */
  async link(ctx: RequestContext, runId: string, files: Array<{ path: string; object: StoredObjectRow }>): Promise<Map<string, Date>> {
    const previous: Array<{ path: string; object_id: string; pending_object_id: string | null; state: string }> = await ctx.em.query(
      `SELECT f.path, f.object_id, f.pending_object_id, o.state FROM run_files f JOIN stored_objects o ON o.id = f.object_id
        WHERE f.run_id = $1 AND f.path = ANY($2::text[]) FOR UPDATE OF f`,
      [runId, files.map((f) => f.path)],
    );
    const byPath = new Map(previous.map((p) => [p.path, p]));
    const staged = files.filter((f) => {
      const old = byPath.get(f.path);
      return old && old.object_id !== f.object.id && old.state === 'available' && f.object.state === 'pending';
    });
    const placed = files.filter((f) => !staged.includes(f));
    if (staged.length > 0) {
      await ctx.em.query(
        `UPDATE run_files f SET pending_object_id = x.object_id FROM unnest($2::text[], $3::uuid[]) AS x(path, object_id)
          WHERE f.run_id = $1 AND f.path = x.path`,
        [runId, staged.map((f) => f.path), staged.map((f) => f.object.id)],
      );
    }
    const rows = await queryRows<{ path: string; created_at: Date }>(
      ctx.em,
      `INSERT INTO run_files AS f (organization_id, run_id, path, object_id)
       SELECT $1, $2, x.path, x.object_id FROM unnest($3::text[], $4::uuid[]) AS x(path, object_id)
       ON CONFLICT (organization_id, run_id, path) DO UPDATE SET object_id = EXCLUDED.object_id, pending_object_id = NULL,
         created_at = CASE WHEN f.object_id = EXCLUDED.object_id THEN f.created_at ELSE now() END
       RETURNING f.path, f.created_at`,
      [ctx.organization.id, runId, placed.map((f) => f.path), placed.map((f) => f.object.id)],
    );
    await this.dropUnreferenced(
      ctx,
      previous.flatMap((p) => [p.object_id, ...(p.pending_object_id ? [p.pending_object_id] : [])]),
    );
    const createdAt = new Map(rows.map((r) => [r.path, r.created_at]));
    for (const f of staged) createdAt.set(f.path, new Date());
    return createdAt;
  }

  async find(ctx: RequestContext, runId: string, path: string): Promise<StoredObjectRow | null> {
    const rows: StoredObjectRow[] = await ctx.em.query(
      `SELECT ${OBJECT_COLUMNS} FROM run_files f JOIN stored_objects o ON o.id = f.object_id
        WHERE f.organization_id = $1 AND f.run_id = $2 AND f.path = $3`,
      [ctx.organization.id, runId, path],
    );
    return rows[0] ?? null;
  }

  /** The direct children of `prefix`: files, and directories with their totals. */
  async list(ctx: RequestContext, runId: string, prefix: string): Promise<FileEntry[]> {
    const rows: Array<{
      name: string;
      is_dir: boolean;
      size: string;
      file_count: string;
      sha256: string | null;
      content_type: string | null;
      state: string | null;
      created_at: Date | null;
    }> = await ctx.em.query(
      `WITH under AS (
         SELECT substr(f.path, $3::int + 1) AS rest, o.size, o.sha256, o.content_type, o.state, f.created_at
           FROM run_files f JOIN stored_objects o ON o.id = f.object_id
          WHERE f.organization_id = $1 AND f.run_id = $2 AND f.path >= $4 AND ($5::text IS NULL OR f.path < $5))
       SELECT split_part(rest, '/', 1) AS name, bool_or(strpos(rest, '/') > 0) AS is_dir, sum(size) AS size, count(*) AS file_count,
              min(sha256) AS sha256, min(content_type) AS content_type, min(state) AS state, max(created_at) AS created_at
         FROM under GROUP BY 1 ORDER BY 2 DESC, 1`,
      [ctx.organization.id, runId, prefix.length, prefix, upperBound(prefix)],
    );
    return rows.map((r) =>
      r.is_dir
        ? { name: r.name, path: `${prefix}${r.name}/`, type: 'dir' as const, size: Number(r.size), fileCount: Number(r.file_count) }
        : {
            name: r.name,
            path: `${prefix}${r.name}`,
            type: 'file' as const,
            size: Number(r.size),
            sha256: r.sha256 ?? undefined,
            contentType: r.content_type ?? undefined,
            state: r.state as 'pending' | 'available',
            createdAt: r.created_at?.toISOString(),
          },
    );
  }

  async totals(ctx: RequestContext, runId: string, prefix: string): Promise<{ count: number; bytes: number }> {
    const rows: Array<{ count: string; bytes: string | null }> = await ctx.em.query(
      `SELECT count(*) AS count, sum(o.size) AS bytes FROM run_files f JOIN stored_objects o ON o.id = f.object_id
        WHERE f.organization_id = $1 AND f.run_id = $2 AND o.state = 'available' AND f.path >= $3 AND ($4::text IS NULL OR f.path < $4)`,
      [ctx.organization.id, runId, prefix, upperBound(prefix)],
    );
    return { count: Number(rows[0]?.count ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
  }

  async remove(ctx: RequestContext, runId: string, path: string): Promise<boolean> {
    const rows = await queryRows<{ object_id: string; pending_object_id: string | null }>(
      ctx.em,
      `DELETE FROM run_files WHERE organization_id = $1 AND run_id = $2 AND path = $3 RETURNING object_id, pending_object_id`,
      [ctx.organization.id, runId, path],
    );
    await this.dropUnreferenced(
      ctx,
      rows.flatMap((r) => [r.object_id, ...(r.pending_object_id ? [r.pending_object_id] : [])]),
    );
    return rows.length > 0;
  }

  private async dropUnreferenced(ctx: RequestContext, objectIds: string[]): Promise<void> {
    if (objectIds.length === 0) return;
    await ctx.em.query(
      `DELETE FROM stored_objects o WHERE o.id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM run_files f WHERE f.object_id = o.id OR f.pending_object_id = o.id)`,
      [objectIds],
    );
  }
}
