import { Injectable } from '@nestjs/common';
import type { Artifact, ArtifactVersion } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { queryRows } from '../database/sql';
import { runKey } from '../runs/run-key';
import { OBJECT_COLUMNS, type StoredObjectRow } from '../storage/stored-object';

export interface ArtifactRow {
  id: string;
  name: string;
  kind: string;
  description: string;
  next_version: number;
  created_at: Date;
  updated_at: Date;
}

interface VersionRow {
  id: string;
  artifact_id: string;
  artifact_name: string;
  kind: string;
  number: number | null;
  state: 'draft' | 'committed';
  digest: string;
  description: string;
  metadata: Record<string, unknown>;
  reference_uri: string | null;
  reference_digest: string | null;
  reference_size: string | null;
  file_count: number;
  size_bytes: string;
  requested_aliases: string[];
  created_by: string | null;
  created_at: Date;
  aliases: string[];
  producer: { id: string; number: number; name: string } | null;
  consumers: Array<{ id: string; number: number; name: string }>;
}

export type VersionRecord = ArtifactVersion & { artifactId: string; number: number | null; requestedAliases: string[] };

/** The wire shape: without the bookkeeping fields the services use. */
export function toVersionDto(version: VersionRecord): ArtifactVersion {
  const { artifactId: _artifactId, number: _number, requestedAliases: _requested, ...dto } = version;
  return dto;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION_LABEL = /^v(\d{1,9})$/;

/** SQL of artifacts, their versions, files, aliases and usages. Every query names the organization. */
@Injectable()
export class ArtifactsRepository {
  async findArtifact(ctx: RequestContext, name: string, options: { lock?: boolean } = {}): Promise<ArtifactRow | null> {
    const rows: ArtifactRow[] = await ctx.em.query(
      `SELECT id, name, kind, description, next_version, created_at, updated_at FROM artifacts
        WHERE organization_id = $1 AND project_id = $2 AND name = $3 ${options.lock ? 'FOR UPDATE' : ''}`,
      [ctx.organization.id, ctx.currentProject.id, name],
    );
    return rows[0] ?? null;
  }

  async getArtifact(ctx: RequestContext, name: string, options: { lock?: boolean } = {}): Promise<ArtifactRow> {
    const row = await this.findArtifact(ctx, name, options);
    if (!row) throw notFound('artifact');
    return row;
  }

  /** Creates the artifact if needed and locks its row: versions of one artifact are numbered one at a time. */
  async upsertAndLock(ctx: RequestContext, name: string, kind: string): Promise<ArtifactRow> {
    await ctx.em.query(
      `INSERT INTO artifacts (organization_id, project_id, name, kind) VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, project_id, name) WHERE deleted_at IS NULL DO NOTHING`,
      [ctx.organization.id, ctx.currentProject.id, name, kind],
    );
    return this.getArtifact(ctx, name, { lock: true });
  }

  async list(ctx: RequestContext, kind: string | undefined): Promise<Artifact[]> {
    const rows: Array<
      ArtifactRow & { version_count: string; latest: number | null; size: string | null; aliases: Record<string, number> | null }
    > = await ctx.em.query(
      `SELECT a.id, a.name, a.kind, a.description, a.created_at, a.updated_at,
                (SELECT count(*) FROM artifact_versions v WHERE v.artifact_id = a.id AND v.state = 'committed') AS version_count,
                (SELECT max(number) FROM artifact_versions v WHERE v.artifact_id = a.id) AS latest,
                (SELECT sum(size) FROM stored_objects o WHERE o.artifact_id = a.id) AS size,
                (SELECT json_object_agg(al.alias, v.number) FROM artifact_aliases al JOIN artifact_versions v ON v.id = al.version_id
                  WHERE al.artifact_id = a.id) AS aliases
           FROM artifacts a
          WHERE a.organization_id = $1 AND a.project_id = $2 AND ($3::text IS NULL OR a.kind = $3)
          ORDER BY a.updated_at DESC, a.name`,
      [ctx.organization.id, ctx.currentProject.id, kind ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      description: r.description,
      versionCount: Number(r.version_count),
      latest: r.latest === null ? null : `v${r.latest}`,
      aliases: Object.fromEntries(Object.entries(r.aliases ?? {}).map(([alias, n]) => [alias, `v${n}`])),
      size: Number(r.size ?? 0),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  /** A version by `v3`, an alias, or (drafts too) its id. */
  async resolveVersion(ctx: RequestContext, artifact: ArtifactRow, ref: string): Promise<VersionRecord> {
    const label = VERSION_LABEL.exec(ref);
    const condition = label
      ? { sql: 'v.number = $3', value: Number(label[1]) }
      : UUID.test(ref)
        ? { sql: 'v.id = $3', value: ref }
        : { sql: 'v.id = (SELECT version_id FROM artifact_aliases WHERE artifact_id = $2 AND alias = $3)', value: ref };
    const [version] = await this.versions(ctx, `v.artifact_id = $2 AND ${condition.sql}`, [artifact.id, condition.value]);
    if (!version) throw notFound('artifact version');
    return version;
  }

  async committedVersions(ctx: RequestContext, artifactId: string): Promise<VersionRecord[]> {
    return this.versions(ctx, `v.artifact_id = $2 AND v.state = 'committed' ORDER BY v.number DESC`, [artifactId]);
  }

  async versionWithDigest(
    ctx: RequestContext,
    artifactId: string,
    digest: string,
    state: 'draft' | 'committed',
  ): Promise<VersionRecord | null> {
    const [version] = await this.versions(ctx, `v.artifact_id = $2 AND v.digest = $3 AND v.state = $4 ORDER BY v.created_at DESC LIMIT 1`, [
      artifactId,
      digest,
      state,
    ]);
    return version ?? null;
  }

  async insertDraft(
    ctx: RequestContext,
    draft: {
      artifactId: string;
      digest: string;
      description: string;
      metadata: object;
      reference: { uri: string; digest: string; size?: number } | null;
      fileCount: number;
      size: number;
      producerRunId: string | null;
      aliases: string[];
    },
  ): Promise<string> {
    const rows: Array<{ id: string }> = await ctx.em.query(
      `INSERT INTO artifact_versions (organization_id, artifact_id, state, digest, description, metadata, reference_uri, reference_digest,
                                      reference_size, file_count, size_bytes, created_by, producer_run_id, requested_aliases)
       VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        ctx.organization.id,
        draft.artifactId,
        draft.digest,
        draft.description,
        JSON.stringify(draft.metadata),
        draft.reference?.uri ?? null,
        draft.reference?.digest ?? null,
        draft.reference?.size ?? null,
        draft.fileCount,
        draft.size,
        ctx.principal?.userId ?? null,
        draft.producerRunId,
        draft.aliases,
      ],
    );
    return rows[0]!.id;
  }

  /** Adds files to a draft; a path declared again points at its new content. */
  async putFiles(ctx: RequestContext, versionId: string, files: Array<{ path: string; objectId: string }>): Promise<void> {
    if (files.length === 0) return;
    await ctx.em.query(
      `INSERT INTO artifact_files (organization_id, version_id, path, object_id)
       SELECT $1, $2, x.path, x.object_id FROM unnest($3::text[], $4::uuid[]) AS x(path, object_id)
       ON CONFLICT (organization_id, version_id, path) DO UPDATE SET object_id = EXCLUDED.object_id`,
      [ctx.organization.id, versionId, files.map((f) => f.path), files.map((f) => f.objectId)],
    );
  }

  /**
   * The draft's manifest digest from its stored rows, the same function as
   * `manifestDigest` (C collation orders paths by their UTF-8 bytes), with
   * its file count and size brought up to date.
   */
  async sealManifest(ctx: RequestContext, versionId: string): Promise<string> {
    const [row] = await queryRows<{ digest: string }>(
      ctx.em,
      `UPDATE artifact_versions v SET digest = m.digest, file_count = m.files, size_bytes = m.bytes
         FROM (SELECT 'sha256:' || encode(sha256(convert_to(coalesce(string_agg(f.path || E'\t' || o.size || E'\t' || o.sha256 || E'\n', '' ORDER BY f.path), ''), 'UTF8')), 'hex') AS digest,
                      count(*) AS files, coalesce(sum(o.size), 0) AS bytes
                 FROM artifact_files f JOIN stored_objects o ON o.id = f.object_id WHERE f.version_id = $1) m
        WHERE v.id = $1
        RETURNING v.digest`,
      [versionId],
    );
    return row!.digest;
  }

  async files(ctx: RequestContext, versionId: string): Promise<Array<{ path: string; object: StoredObjectRow }>> {
    const rows: Array<StoredObjectRow & { path: string }> = await ctx.em.query(
      `SELECT f.path, ${OBJECT_COLUMNS} FROM artifact_files f JOIN stored_objects o ON o.id = f.object_id
        WHERE f.organization_id = $1 AND f.version_id = $2 ORDER BY f.path`,
      [ctx.organization.id, versionId],
    );
    return rows.map(({ path, ...object }) => ({ path, object: object as StoredObjectRow }));
  }

  async file(ctx: RequestContext, versionId: string, path: string): Promise<StoredObjectRow | null> {
    const rows: StoredObjectRow[] = await ctx.em.query(
      `SELECT ${OBJECT_COLUMNS} FROM artifact_files f JOIN stored_objects o ON o.id = f.object_id
        WHERE f.organization_id = $1 AND f.version_id = $2 AND f.path = $3`,
      [ctx.organization.id, versionId, path],
    );
    return rows[0] ?? null;
  }

  /** Takes the artifact's next number for a draft and commits it. */
  async commit(ctx: RequestContext, artifact: ArtifactRow, versionId: string): Promise<number> {
    const [row] = await queryRows<{ number: number }>(
      ctx.em,
      `UPDATE artifacts SET next_version = next_version + 1, updated_at = now() WHERE id = $1 RETURNING next_version - 1 AS number`,
      [artifact.id],
    );
    await ctx.em.query(`UPDATE artifact_versions SET state = 'committed', number = $2, committed_at = now() WHERE id = $1`, [
      versionId,
      row!.number,
    ]);
    return row!.number;
  }

  async aliasTargets(ctx: RequestContext, artifactId: string, aliases: string[]): Promise<Map<string, string>> {
    const rows: Array<{ alias: string; version_id: string }> = await ctx.em.query(
      `SELECT alias, version_id FROM artifact_aliases WHERE artifact_id = $1 AND alias = ANY($2::text[])`,
      [artifactId, aliases],
    );
    return new Map(rows.map((r) => [r.alias, r.version_id]));
  }

  async setAliases(ctx: RequestContext, artifactId: string, versionId: string, aliases: string[]): Promise<void> {
    await ctx.em.query(
      `INSERT INTO artifact_aliases (organization_id, artifact_id, alias, version_id) SELECT $1, $2, unnest($3::text[]), $4
       ON CONFLICT (organization_id, artifact_id, alias) DO UPDATE SET version_id = EXCLUDED.version_id, updated_at = now()`,
      [ctx.organization.id, artifactId, aliases, versionId],
    );
  }

  async deleteAlias(ctx: RequestContext, artifactId: string, alias: string): Promise<boolean> {
    const [, count] = (await ctx.em.query(`DELETE FROM artifact_aliases WHERE artifact_id = $1 AND alias = $2`, [artifactId, alias])) as [
      unknown,
      number,
    ];
    return count > 0;
  }

  async deleteDraft(ctx: RequestContext, artifactId: string, versionId: string): Promise<void> {
    await ctx.em.query(`DELETE FROM artifact_versions WHERE id = $1 AND state = 'draft'`, [versionId]);
    await this.dropUnreferencedObjects(ctx, artifactId);
  }

  /** False when another artifact of the project has `name`. */
  async rename(ctx: RequestContext, artifactId: string, name: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      ctx.em,
      `UPDATE artifacts SET name = $3, updated_at = now()
        WHERE organization_id = $1 AND id = $2
          AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.project_id = artifacts.project_id AND a.name = $3)
        RETURNING id`,
      [ctx.organization.id, artifactId, name],
    );
    return rows.length > 0;
  }

  async setProducer(ctx: RequestContext, versionId: string, runId: string): Promise<void> {
    await ctx.em.query(`UPDATE artifact_versions SET producer_run_id = $2 WHERE id = $1 AND producer_run_id IS NULL`, [versionId, runId]);
  }

  async addUsage(ctx: RequestContext, versionId: string, runId: string): Promise<void> {
    await ctx.em.query(`INSERT INTO artifact_usages (organization_id, version_id, run_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      ctx.organization.id,
      versionId,
      runId,
    ]);
  }

  async pendingPaths(ctx: RequestContext, versionId: string): Promise<string[]> {
    const rows: Array<{ path: string }> = await ctx.em.query(
      `SELECT f.path FROM artifact_files f JOIN stored_objects o ON o.id = f.object_id WHERE f.version_id = $1 AND o.state <> 'available' ORDER BY f.path`,
      [versionId],
    );
    return rows.map((r) => r.path);
  }

  async dropUnreferencedObjects(ctx: RequestContext, artifactId: string): Promise<void> {
    await ctx.em.query(
      `DELETE FROM stored_objects o WHERE o.artifact_id = $1 AND NOT EXISTS (SELECT 1 FROM artifact_files f WHERE f.object_id = o.id)`,
      [artifactId],
    );
  }

  private async versions(ctx: RequestContext, where: string, params: unknown[]): Promise<VersionRecord[]> {
    const rows: VersionRow[] = await ctx.em.query(
      `SELECT v.id, v.artifact_id, a.name AS artifact_name, a.kind, v.number, v.state, v.digest, v.description, v.metadata,
              v.reference_uri, v.reference_digest, v.reference_size, v.file_count, v.size_bytes, v.requested_aliases, v.created_by, v.created_at,
              coalesce((SELECT array_agg(al.alias ORDER BY al.alias) FROM artifact_aliases al WHERE al.version_id = v.id), '{}') AS aliases,
              (SELECT json_build_object('id', r.id, 'number', r.number, 'name', r.name) FROM runs r WHERE r.id = v.producer_run_id) AS producer,
              coalesce((SELECT json_agg(json_build_object('id', r.id, 'number', r.number, 'name', r.name) ORDER BY r.number)
                          FROM artifact_usages u JOIN runs r ON r.id = u.run_id WHERE u.version_id = v.id), '[]') AS consumers
         FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
        WHERE v.organization_id = $1 AND ${where}`,
      [ctx.organization.id, ...params],
    );
    const slug = ctx.currentProject.slug;
    const run = (r: { id: string; number: number; name: string }) => ({ id: r.id, key: runKey(slug, r.number), name: r.name });
    return rows.map((v) => ({
      id: v.id,
      artifactId: v.artifact_id,
      artifact: v.artifact_name,
      kind: v.kind,
      number: v.number,
      version: v.number === null ? null : `v${v.number}`,
      state: v.state,
      digest: v.digest,
      description: v.description,
      metadata: v.metadata,
      reference: v.reference_uri
        ? { uri: v.reference_uri, digest: v.reference_digest!, size: v.reference_size === null ? null : Number(v.reference_size) }
        : null,
      fileCount: v.file_count,
      size: Number(v.size_bytes),
      aliases: v.aliases,
      requestedAliases: v.requested_aliases,
      createdBy: v.created_by,
      createdAt: v.created_at.toISOString(),
      producer: v.producer ? run(v.producer) : null,
      consumers: v.consumers.map(run),
    }));
  }
}
