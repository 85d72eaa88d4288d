import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface TrashRow {
  kind: 'run' | 'artifact' | 'artifact_version' | 'project';
  id: string;
  /** The run's name, the artifact's name, `artifact:vN`, the project's slug. */
  label: string;
  /** A run's number (its key is built from it). */
  number: number | null;
  deleted_at: Date;
  deleted_by: string | null;
  purge_after: Date;
  size_bytes: string | null;
}

export interface Trashed {
  by: string | null;
  days: number;
}

const MARK = `deleted_at = now(), deleted_by = $3, purge_after = now() + make_interval(days => $4)`;
const UNMARK = `deleted_at = NULL, deleted_by = NULL, purge_after = NULL`;

/**
 * The SQL of the trash. Trashed rows are invisible to tenant-scoped queries
 * (restrictive policy `*_not_trashed`) unless `trackbase.trash` is on for the
 * transaction: `reveal` turns it on, `conceal` off again, and only this
 * repository calls them, around its own statements.
 */
@Injectable()
export class TrashRepository {
  private async revealed<T>(ctx: RequestContext, work: () => Promise<T>): Promise<T> {
    await ctx.em.query(`SELECT set_config('trackbase.trash', 'on', true)`);
    try {
      return await work();
    } finally {
      await ctx.em.query(`SELECT set_config('trackbase.trash', '', true)`);
    }
  }

  /** Moves live runs of the current project to the trash; returns those moved. The external id is set aside so a new run may take it. */
  async trashRuns(ctx: RequestContext, ids: string[], t: Trashed): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.revealed(ctx, () =>
      queryRows<{ id: string }>(
        ctx.em,
        `UPDATE runs SET ${MARK}, trashed_external_id = external_id, external_id = NULL
        WHERE organization_id = $1 AND project_id = $5 AND id = ANY($2::uuid[]) AND deleted_at IS NULL
        RETURNING id`,
        [ctx.organization.id, ids, t.by, t.days, ctx.currentProject.id],
      ),
    );
    return rows.map((r) => r.id);
  }

  /**
   * Moves committed versions of the current project to the trash. Their
   * aliases are set aside (all but `latest`), and `latest` of each artifact
   * falls back to its newest live version.
   */
  async trashVersions(ctx: RequestContext, ids: string[], t: Trashed): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.revealed(ctx, () =>
      queryRows<{ id: string; artifact_id: string }>(
        ctx.em,
        `UPDATE artifact_versions v SET ${MARK},
              trashed_aliases = (SELECT coalesce(array_agg(al.alias ORDER BY al.alias), '{}') FROM artifact_aliases al
                                  WHERE al.version_id = v.id AND al.alias <> 'latest')
        WHERE v.organization_id = $1 AND v.id = ANY($2::uuid[]) AND v.deleted_at IS NULL AND v.state = 'committed'
          AND EXISTS (SELECT 1 FROM artifacts a WHERE a.id = v.artifact_id AND a.project_id = $5)
        RETURNING v.id, v.artifact_id`,
        [ctx.organization.id, ids, t.by, t.days, ctx.currentProject.id],
      ),
    );
    if (!rows.length) return [];
    await ctx.em.query(`DELETE FROM artifact_aliases WHERE organization_id = $1 AND version_id = ANY($2::uuid[])`, [
      ctx.organization.id,
      rows.map((r) => r.id),
    ]);
    await this.pointLatest(ctx, [...new Set(rows.map((r) => r.artifact_id))]);
    return rows.map((r) => r.id);
  }

  /** Moves live artifacts of the current project to the trash; their versions, files and aliases stay with them (hidden by policy). */
  async trashArtifacts(ctx: RequestContext, ids: string[], t: Trashed): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.revealed(ctx, () =>
      queryRows<{ id: string }>(
        ctx.em,
        `UPDATE artifacts SET ${MARK}
          WHERE organization_id = $1 AND project_id = $5 AND id = ANY($2::uuid[]) AND deleted_at IS NULL
          RETURNING id`,
        [ctx.organization.id, ids, t.by, t.days, ctx.currentProject.id],
      ),
    );
    return rows.map((r) => r.id);
  }

  async trashProject(ctx: RequestContext, t: Trashed): Promise<void> {
    await this.revealed(ctx, () =>
      ctx.em.query(`UPDATE projects SET ${MARK} WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL`, [
        ctx.organization.id,
        ctx.currentProject.id,
        t.by,
        t.days,
      ]),
    );
  }

  /** The current project's trashed runs, artifacts and artifact versions (of live artifacts), newest deletion first. */
  async listProject(ctx: RequestContext): Promise<TrashRow[]> {
    return this.revealed(ctx, () =>
      ctx.em.query(
        `SELECT * FROM (
           SELECT 'run' AS kind, r.id, r.name AS label, r.number, r.deleted_at, r.deleted_by, r.purge_after,
                  (SELECT sum(o.size) FROM stored_objects o WHERE o.run_id = r.id) AS size_bytes
             FROM runs r WHERE r.organization_id = $1 AND r.project_id = $2 AND r.deleted_at IS NOT NULL
           UNION ALL
           SELECT 'artifact', a.id, a.name, NULL, a.deleted_at, a.deleted_by, a.purge_after,
                  (SELECT sum(o.size) FROM stored_objects o WHERE o.artifact_id = a.id)
             FROM artifacts a WHERE a.organization_id = $1 AND a.project_id = $2 AND a.deleted_at IS NOT NULL
           UNION ALL
           SELECT 'artifact_version', v.id, a.name || ':v' || v.number, NULL, v.deleted_at, v.deleted_by, v.purge_after, v.size_bytes
             FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
            WHERE v.organization_id = $1 AND a.project_id = $2 AND v.deleted_at IS NOT NULL AND a.deleted_at IS NULL
         ) t ORDER BY deleted_at DESC, id`,
        [ctx.organization.id, ctx.currentProject.id],
      ),
    );
  }

  /** The organization's trashed projects. */
  async listProjects(ctx: RequestContext): Promise<TrashRow[]> {
    return this.revealed(ctx, () =>
      ctx.em.query(
        `SELECT 'project' AS kind, p.id, p.slug AS label, NULL AS number, p.deleted_at, p.deleted_by, p.purge_after,
                (SELECT sum(o.size) FROM stored_objects o WHERE o.project_id = p.id) AS size_bytes
           FROM projects p WHERE p.organization_id = $1 AND p.deleted_at IS NOT NULL
          ORDER BY p.deleted_at DESC, p.id`,
        [ctx.organization.id],
      ),
    );
  }

  /** Restores a trashed run of the current project; it takes its external id back unless a live run holds it now. */
  async restoreRun(ctx: RequestContext, id: string): Promise<boolean> {
    return this.revealed(ctx, async () => {
      const rows = await queryRows<{ id: string }>(
        ctx.em,
        `UPDATE runs r SET ${UNMARK}, trashed_external_id = NULL,
                external_id = CASE WHEN EXISTS (SELECT 1 FROM runs o WHERE o.project_id = r.project_id AND o.external_id = r.trashed_external_id)
                                   THEN NULL ELSE r.trashed_external_id END
          WHERE r.organization_id = $1 AND r.project_id = $2 AND r.id = $3 AND r.deleted_at IS NOT NULL
          RETURNING r.id`,
        [ctx.organization.id, ctx.currentProject.id, id],
      );
      return rows.length > 0;
    });
  }

  /** Restores a trashed version with the aliases it had that no live version took meanwhile; `latest` moves to it if it is the newest. */
  async restoreVersion(ctx: RequestContext, id: string): Promise<boolean> {
    return this.revealed(ctx, async () => {
      const rows = await queryRows<{ artifact_id: string; aliases: string[] | null }>(
        ctx.em,
        `UPDATE artifact_versions v SET ${UNMARK}, trashed_aliases = NULL
           FROM artifacts a, (SELECT trashed_aliases FROM artifact_versions WHERE id = $3) old
          WHERE a.id = v.artifact_id AND a.project_id = $2 AND v.organization_id = $1 AND v.id = $3 AND v.deleted_at IS NOT NULL
          RETURNING v.artifact_id, old.trashed_aliases AS aliases`,
        [ctx.organization.id, ctx.currentProject.id, id],
      );
      const row = rows[0];
      if (!row) return false;
      await ctx.em.query(
        `INSERT INTO artifact_aliases (organization_id, artifact_id, alias, version_id) SELECT $1, $2, unnest($3::text[]), $4
         ON CONFLICT (organization_id, artifact_id, alias) DO NOTHING`,
        [ctx.organization.id, row.artifact_id, row.aliases ?? [], id],
      );
      await this.pointLatest(ctx, [row.artifact_id], true);
      return true;
    });
  }

  /**
   * Restores a trashed artifact of the current project with everything it held; `taken` when a live
   * artifact has its name now (checked, and guarded by the live-name index against a racing create).
   */
  async restoreArtifact(ctx: RequestContext, id: string): Promise<'restored' | 'taken' | 'missing'> {
    return this.revealed(ctx, async () => {
      const found = await queryRows<{ taken: boolean }>(
        ctx.em,
        `SELECT EXISTS (SELECT 1 FROM artifacts o WHERE o.project_id = a.project_id AND o.name = a.name AND o.deleted_at IS NULL) AS taken
           FROM artifacts a WHERE a.organization_id = $1 AND a.project_id = $2 AND a.id = $3 AND a.deleted_at IS NOT NULL
           FOR UPDATE OF a`,
        [ctx.organization.id, ctx.currentProject.id, id],
      );
      if (!found[0]) return 'missing';
      if (found[0].taken) return 'taken';
      await ctx.em.query('SAVEPOINT restore_artifact');
      try {
        await ctx.em.query(`UPDATE artifacts SET ${UNMARK}, updated_at = now() WHERE organization_id = $1 AND id = $2`, [
          ctx.organization.id,
          id,
        ]);
      } catch (error) {
        await ctx.em.query('ROLLBACK TO SAVEPOINT restore_artifact');
        if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') return 'taken';
        throw error;
      }
      await ctx.em.query('RELEASE SAVEPOINT restore_artifact');
      return 'restored';
    });
  }

  async restoreProject(ctx: RequestContext, id: string): Promise<{ slug: string } | null> {
    return this.revealed(ctx, async () => {
      const rows = await queryRows<{ slug: string }>(
        ctx.em,
        `UPDATE projects SET ${UNMARK} WHERE organization_id = $1 AND id = $2 AND deleted_at IS NOT NULL RETURNING slug`,
        [ctx.organization.id, id],
      );
      return rows[0] ?? null;
    });
  }

  /** Deletes a trashed item of the current project (or a trashed project of the organization) now; the delete triggers free its storage. */
  async purge(ctx: RequestContext, kind: TrashRow['kind'], id: string): Promise<boolean> {
    return this.revealed(ctx, async () => {
      if (kind === 'project') {
        const [, n] = (await ctx.em.query(`DELETE FROM projects WHERE organization_id = $1 AND id = $2 AND deleted_at IS NOT NULL`, [
          ctx.organization.id,
          id,
        ])) as [unknown, number];
        return n > 0;
      }
      if (kind === 'artifact') {
        // The artifact's versions, files and aliases go with it; the delete triggers of its stored objects queue them and free the quota.
        const [, n] = (await ctx.em.query(
          `DELETE FROM artifacts WHERE organization_id = $1 AND project_id = $2 AND id = $3 AND deleted_at IS NOT NULL`,
          [ctx.organization.id, ctx.currentProject.id, id],
        )) as [unknown, number];
        return n > 0;
      }
      if (kind === 'run') {
        const [, n] = (await ctx.em.query(
          `DELETE FROM runs WHERE organization_id = $1 AND project_id = $2 AND id = $3 AND deleted_at IS NOT NULL`,
          [ctx.organization.id, ctx.currentProject.id, id],
        )) as [unknown, number];
        return n > 0;
      }
      const rows = await queryRows<{ artifact_id: string }>(
        ctx.em,
        `DELETE FROM artifact_versions v USING artifacts a
          WHERE a.id = v.artifact_id AND a.project_id = $2 AND v.organization_id = $1 AND v.id = $3 AND v.deleted_at IS NOT NULL
          RETURNING v.artifact_id`,
        [ctx.organization.id, ctx.currentProject.id, id],
      );
      await dropUnreferencedArtifactObjects(
        ctx.em,
        rows.map((r) => r.artifact_id),
      );
      return rows.length > 0;
    });
  }

  /**
   * The janitor's pass, in system scope (no policies): deletes every trashed
   * row past `purge_after`, each purge audited (`<kind>.purged`, by the janitor). Versions' contents go when no other version of
   * their artifact (live or trashed) holds them; the delete triggers of
   * stored objects queue the store's objects and free the quota.
   */
  async purgeExpired(em: EntityManager): Promise<{ runs: number; artifacts: number; artifactVersions: number; projects: number }> {
    const purge = (table: string, kind: string, returning: string) =>
      queryRows<{ id: string; artifact_id?: string }>(
        em,
        `WITH gone AS (DELETE FROM ${table} WHERE deleted_at IS NOT NULL AND purge_after <= now() RETURNING organization_id, id${returning}),
              audited AS (INSERT INTO audit_entries (organization_id, action, target_type, target_id, details)
                          SELECT organization_id, '${kind}.purged', '${kind}', id::text, '{"by": "storage janitor"}'::jsonb FROM gone)
         SELECT * FROM gone`,
        [],
      );
    const projects = await purge('projects', 'project', '');
    const runs = await purge('runs', 'run', '');
    const artifacts = await purge('artifacts', 'artifact', '');
    const versions = await purge('artifact_versions', 'artifact_version', ', artifact_id');
    await dropUnreferencedArtifactObjects(
      em,
      versions.map((v) => v.artifact_id!),
    );
    return { runs: runs.length, artifacts: artifacts.length, artifactVersions: versions.length, projects: projects.length };
  }

  /** Points `latest` of each artifact at its newest live committed version (moving it only when `move`). */
  private async pointLatest(ctx: RequestContext, artifactIds: string[], move = false): Promise<void> {
    await ctx.em.query(
      `INSERT INTO artifact_aliases (organization_id, artifact_id, alias, version_id)
       SELECT DISTINCT ON (artifact_id) organization_id, artifact_id, 'latest', id FROM artifact_versions
        WHERE artifact_id = ANY($1::uuid[]) AND state = 'committed' AND deleted_at IS NULL
        ORDER BY artifact_id, number DESC
       ON CONFLICT (organization_id, artifact_id, alias) DO ${move ? 'UPDATE SET version_id = EXCLUDED.version_id, updated_at = now()' : 'NOTHING'}`,
      [artifactIds],
    );
  }
}

async function dropUnreferencedArtifactObjects(em: Pick<EntityManager, 'query'>, artifactIds: string[]): Promise<void> {
  if (!artifactIds.length) return;
  await em.query(
    `DELETE FROM stored_objects o WHERE o.artifact_id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM artifact_files f WHERE f.object_id = o.id)`,
    [[...new Set(artifactIds)]],
  );
}
