import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import type { ArchiveToken } from './archive-token';
import { OBJECT_COLUMNS, type ObjectOwner, type StoredObjectRow } from './stored-object';

/** A content object to create, pending until its bytes arrive. */
export interface NewObject {
  key: string;
  sha256: string;
  size: number;
  contentType: string;
  partSize: number;
  partCount: number;
}

/** A due row of `storage_deletions`: an object key to remove from the store (aborting its multipart upload). */
/** A stored part of a multipart upload (size is a bigint, so a string). */
export interface UploadPartRow {
  part_number: number;
  etag: string;
  size: string;
}

export interface DeletionRow {
  id: string;
  key: string;
  multipart_upload_id: string | null;
}

/** A file of an archive download: its path, its object's key and size (bigint as text). */
export interface ArchiveEntryRow {
  path: string;
  key: string;
  size: string;
}

/** The SQL of uploads and organization storage (stored objects, their parts, quota, the janitor's deletions, archive listings). */
@Injectable()
export class StorageRepository {
  async objectsByKeys(ctx: RequestContext, keys: string[]): Promise<Map<string, StoredObjectRow>> {
    const rows: StoredObjectRow[] = await ctx.em.query(
      `SELECT ${OBJECT_COLUMNS} FROM stored_objects o WHERE o.organization_id = $1 AND o.key = ANY($2::text[])`,
      [ctx.organization.id, keys],
    );
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** The upload `uploadId` of the current project, locked for the transaction when `lock`. */
  async objectOfProject(ctx: RequestContext, uploadId: string, lock: boolean): Promise<StoredObjectRow | undefined> {
    const rows: StoredObjectRow[] = await ctx.em.query(
      `SELECT ${OBJECT_COLUMNS} FROM stored_objects o WHERE o.organization_id = $1 AND o.project_id = $2 AND o.id = $3 ${lock ? 'FOR UPDATE' : ''}`,
      [ctx.organization.id, ctx.currentProject.id, uploadId],
    );
    return rows[0];
  }

  /**
   * Pending objects for content not stored yet (a concurrent declaration of
   * the same key wins quietly). Content stored again after it was deleted:
   * its pending deletion must not remove the new upload.
   */
  async createPending(ctx: RequestContext, owner: ObjectOwner, objects: NewObject[]): Promise<void> {
    await ctx.em.query(
      `INSERT INTO stored_objects (organization_id, project_id, run_id, artifact_id, key, sha256, size, content_type, state, part_size, part_count)
       SELECT $1, $2, $3, $4, k.key, k.sha256, k.size, k.content_type, 'pending', k.part_size, k.part_count
         FROM unnest($5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[], $10::int[])
              AS k(key, sha256, size, content_type, part_size, part_count)
       ON CONFLICT (organization_id, key) DO NOTHING`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        owner.runId ?? null,
        owner.artifactId ?? null,
        objects.map((o) => o.key),
        objects.map((o) => o.sha256),
        objects.map((o) => o.size),
        objects.map((o) => o.contentType),
        objects.map((o) => o.partSize),
        objects.map((o) => o.partCount),
      ],
    );
    await ctx.em.query(`DELETE FROM storage_deletions WHERE organization_id = $1 AND key = ANY($2::text[])`, [
      ctx.organization.id,
      objects.map((o) => o.key),
    ]);
  }

  /**
   * Enqueues `key` (and its multipart upload) for the janitor `afterSeconds` from now: an object
   * written before it has a row (a staged one) is removed even if the process writing it dies.
   */
  async scheduleDeletion(ctx: RequestContext, key: string, multipartUploadId: string | null, afterSeconds: number): Promise<void> {
    await ctx.em.query(
      `INSERT INTO storage_deletions (organization_id, key, multipart_upload_id, not_before)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [ctx.organization.id, key, multipartUploadId, afterSeconds],
    );
  }

  async cancelDeletion(ctx: RequestContext, key: string): Promise<void> {
    await ctx.em.query(`DELETE FROM storage_deletions WHERE organization_id = $1 AND key = $2`, [ctx.organization.id, key]);
  }

  async markAvailable(ctx: RequestContext, objectId: string): Promise<void> {
    await ctx.em.query(
      `UPDATE stored_objects SET state = 'available', completed_at = now(), multipart_upload_id = NULL
        WHERE organization_id = $1 AND id = $2 AND state = 'pending'`,
      [ctx.organization.id, objectId],
    );
  }

  /** An object the server wrote itself (a table's Parquet form): available at once; the existing row when the key is stored. */
  async createAvailable(
    ctx: RequestContext,
    owner: ObjectOwner,
    object: Omit<NewObject, 'partSize' | 'partCount'>,
  ): Promise<StoredObjectRow> {
    await ctx.em.query(
      `INSERT INTO stored_objects (organization_id, project_id, run_id, artifact_id, key, sha256, size, content_type, state, part_size, part_count, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'available', $7, 1, now())
       ON CONFLICT (organization_id, key) DO NOTHING`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        owner.runId ?? null,
        owner.artifactId ?? null,
        object.key,
        object.sha256,
        object.size,
        object.contentType,
      ],
    );
    await ctx.em.query(`DELETE FROM storage_deletions WHERE organization_id = $1 AND key = $2`, [ctx.organization.id, object.key]);
    return (await this.objectsByKeys(ctx, [object.key])).get(object.key)!;
  }

  /** Keeps pending uploads that are still being worked on from expiring. */
  async touch(ctx: RequestContext, objectIds: string[]): Promise<void> {
    await ctx.em.query(`UPDATE stored_objects SET touched_at = now() WHERE id = ANY($1::uuid[]) AND state = 'pending'`, [objectIds]);
  }

  async setMultipartUploadId(ctx: RequestContext, objectId: string, uploadIdInStore: string): Promise<void> {
    await ctx.em.query(`UPDATE stored_objects SET multipart_upload_id = $2 WHERE id = $1`, [objectId, uploadIdInStore]);
  }

  async recordPart(ctx: RequestContext, objectId: string, part: { partNumber: number; etag: string; size: number }): Promise<void> {
    await ctx.em.query(
      `INSERT INTO upload_parts (organization_id, object_id, part_number, etag, size) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id, object_id, part_number) DO UPDATE SET etag = EXCLUDED.etag, size = EXCLUDED.size`,
      [ctx.organization.id, objectId, part.partNumber, part.etag, part.size],
    );
  }

  async completedParts(ctx: RequestContext, objectId: string): Promise<number[]> {
    const rows: Array<{ part_number: number }> = await ctx.em.query(
      `SELECT part_number FROM upload_parts WHERE object_id = $1 ORDER BY 1`,
      [objectId],
    );
    return rows.map((r) => r.part_number);
  }

  /** The stored parts of a multipart upload, in order, with what the store answered for each. */
  async partsOfUpload(ctx: RequestContext, objectId: string): Promise<UploadPartRow[]> {
    return ctx.em.query(`SELECT part_number, etag, size FROM upload_parts WHERE object_id = $1 ORDER BY part_number`, [objectId]);
  }

  /** A verified upload: the object is available and its parts are forgotten. */
  async completeUpload(ctx: RequestContext, objectId: string): Promise<void> {
    await ctx.em.query(`UPDATE stored_objects SET state = 'available', completed_at = now(), multipart_upload_id = NULL WHERE id = $1`, [
      objectId,
    ]);
    await ctx.em.query(`DELETE FROM upload_parts WHERE object_id = $1`, [objectId]);
  }

  /** An upload whose bytes failed verification starts again: no parts, no multipart upload in the store. */
  async resetUpload(ctx: RequestContext, objectId: string): Promise<void> {
    await ctx.em.query(`DELETE FROM upload_parts WHERE object_id = $1`, [objectId]);
    await ctx.em.query(`UPDATE stored_objects SET multipart_upload_id = NULL WHERE id = $1`, [objectId]);
  }

  /** Bytes counted (by triggers on stored_objects) and the quota set for the organization, if any. */
  async usage(ctx: RequestContext): Promise<{ usedBytes: number; quotaBytes: number | null }> {
    const rows: Array<{ used_bytes: string | null; quota_bytes: string | null }> = await ctx.em.query(
      `SELECT s.used_bytes, s.quota_bytes FROM organizations o LEFT JOIN organization_storage s ON s.organization_id = o.id WHERE o.id = $1`,
      [ctx.organization.id],
    );
    const row = rows[0];
    return { usedBytes: Number(row?.used_bytes ?? 0), quotaBytes: row?.quota_bytes == null ? null : Number(row.quota_bytes) };
  }

  async setQuota(ctx: RequestContext, quotaBytes: number | null): Promise<void> {
    await ctx.em.query(
      `INSERT INTO organization_storage (organization_id, quota_bytes) VALUES ($1, $2)
       ON CONFLICT (organization_id) DO UPDATE SET quota_bytes = EXCLUDED.quota_bytes`,
      [ctx.organization.id, quotaBytes],
    );
  }

  /** Serialises quota checks and the inserts that follow them per organization until the transaction ends. */
  async lockQuota(ctx: RequestContext): Promise<void> {
    await ctx.em.query(`SELECT pg_advisory_xact_lock(hashtextextended('storage:' || $1::text, 0))`, [ctx.organization.id]);
  }

  // System work of the storage janitor, in its own scoped transaction (`em`), across organizations.

  /** Deletes artifact drafts older than `seconds`; returns how many. */
  async expireDrafts(em: EntityManager, seconds: number): Promise<number> {
    const [, drafts] = (await em.query(
      `DELETE FROM artifact_versions WHERE state = 'draft' AND created_at < now() - make_interval(secs => $1)`,
      [seconds],
    )) as [unknown, number];
    return drafts;
  }

  /** Deletes pending uploads untouched for `seconds` that no artifact file holds; returns how many. */
  async expirePendingUploads(em: EntityManager, seconds: number): Promise<number> {
    const [, uploads] = (await em.query(
      `DELETE FROM stored_objects o WHERE o.state = 'pending' AND o.touched_at < now() - make_interval(secs => $1)
            AND NOT EXISTS (SELECT 1 FROM artifact_files f WHERE f.object_id = o.id)`,
      [seconds],
    )) as [unknown, number];
    return uploads;
  }

  /** Claims up to `limit` due deletions, locked until the transaction ends, skipping rows another node holds. */
  claimDeletions(em: EntityManager, limit: number): Promise<DeletionRow[]> {
    return em.query(
      `SELECT d.id, d.key, d.multipart_upload_id FROM storage_deletions d
          WHERE d.not_before <= now() ORDER BY d.id LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED`,
    );
  }

  /** The keys among `keys` that a stored object holds again. */
  async liveKeys(em: EntityManager, keys: string[]): Promise<Set<string>> {
    const rows: Array<{ key: string }> = await em.query(`SELECT key FROM stored_objects WHERE key = ANY($1::text[])`, [keys]);
    return new Set(rows.map((r) => r.key));
  }

  /** Counts a failed attempt and backs the deletions off exponentially (at most an hour). */
  async postponeDeletions(em: EntityManager, ids: string[]): Promise<void> {
    await em.query(
      `UPDATE storage_deletions SET attempts = attempts + 1, not_before = now() + make_interval(secs => least(3600, 30 * power(2, attempts)))
            WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async forgetDeletions(em: EntityManager, ids: string[]): Promise<void> {
    await em.query(`DELETE FROM storage_deletions WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /**
   * The available files of a run or artifact version under `prefix` (up to `end`, exclusive), in path order, for
   * an archive download; `em` is scoped to the organization the signed token names.
   */
  archiveEntries(
    em: EntityManager,
    organizationId: string,
    owner: ArchiveToken['owner'],
    ownerId: string,
    prefix: string,
    end: string | null,
  ): Promise<ArchiveEntryRow[]> {
    const table = owner === 'run' ? 'run_files' : 'artifact_files';
    const column = owner === 'run' ? 'run_id' : 'version_id';
    return em.query(
      `SELECT f.path, o.key, o.size FROM ${table} f JOIN stored_objects o ON o.id = f.object_id
           WHERE f.organization_id = $1 AND f.${column} = $2 AND o.state = 'available'
             AND f.path >= $3 AND ($4::text IS NULL OR f.path < $4)
           ORDER BY f.path`,
      [organizationId, ownerId, prefix, end],
    );
  }
}
