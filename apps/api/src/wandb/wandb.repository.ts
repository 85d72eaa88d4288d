import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import { OBJECT_COLUMNS, type StoredObjectRow } from '../storage/stored-object';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the W&B layer keeps beside a run (table `wandb_runs`). */
export interface WandbRunState {
  run_id: string;
  history_lines: number;
  events_lines: number;
  console_lines: number;
  batch_seq: string;
  history_tail: string | null;
  events_tail: string | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
}

/** What the W&B layer keeps beside an artifact version (table `wandb_artifact_manifests`). */
export interface WandbManifestRow {
  version_id: string;
  digest: string;
  /** W&B's manifest as the client uploaded it; null until it has. */
  manifest: ({ contents?: Record<string, { digest?: string; size?: number }> } & Record<string, unknown>) | null;
}

/** A W&B link of a version into a portfolio (table `wandb_artifact_links`), with where the version lives. */
export interface WandbLinkRow {
  link_index: number;
  version_id: string;
  aliases: string[];
  latest: boolean;
  /** The linked version's artifact and project (a project of the same organization). */
  artifact: string;
  project: string;
}

/** SQL of the W&B compatibility layer. Tenant queries name the context's organization. */
@Injectable()
export class WandbRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The caller's organizations, oldest membership first (the first is the default entity). System scope. */
  async organizationsOf(userId: string): Promise<Array<{ id: string; slug: string; name: string }>> {
    return this.dataSource.query(
      `SELECT o.id, o.slug, o.name FROM organizations o JOIN org_members m ON m.organization_id = o.id
        WHERE m.user_id = $1 ORDER BY m.created_at, o.slug`,
      [userId],
    );
  }

  async user(userId: string): Promise<{ id: string; email: string | null; name: string } | null> {
    const rows: Array<{ id: string; email: string | null; name: string }> = await this.dataSource.query(
      `SELECT id, email, name FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /**
   * Where an artifact version lives, by id (W&B's CommitArtifact names only the id). System
   * scope: the caller's access to that organization and project is checked next, as for any call.
   */
  async versionHome(versionId: string): Promise<{ entity: string; project: string; artifact: string } | null> {
    if (!UUID.test(versionId)) return null;
    const rows: Array<{ entity: string; project: string; artifact: string }> = await this.dataSource.query(
      `SELECT o.slug AS entity, p.slug AS project, a.name AS artifact
         FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
         JOIN projects p ON p.id = a.project_id JOIN organizations o ON o.id = p.organization_id
        WHERE v.id = $1`,
      [versionId],
    );
    return rows[0] ?? null;
  }

  /**
   * Where a run lives, by id (the public API's `update()`, summary writes and `deleteRun` name only
   * the run's id). System scope, as versionHome: the caller's access is checked next. Only the caller's
   * organizations are looked in, each by the run's key `(organization_id, id)` (`runs` has no index on
   * `id` alone since the distribution layout).
   */
  async runHome(userId: string, runId: string): Promise<{ entity: string; project: string } | null> {
    if (!UUID.test(runId)) return null;
    const rows: Array<{ entity: string; project: string }> = await this.dataSource.query(
      `SELECT o.slug AS entity, p.slug AS project
         FROM org_members m
         JOIN runs r ON r.organization_id = m.organization_id AND r.id = $2
         JOIN projects p ON p.organization_id = r.organization_id AND p.id = r.project_id
         JOIN organizations o ON o.id = r.organization_id
        WHERE m.user_id = $1`,
      [userId, runId],
    );
    return rows[0] ?? null;
  }

  /** The project's W&B number (`Run.projectId`: an integer, from one sequence for all projects). */
  async projectNumber(ctx: RequestContext): Promise<number> {
    const rows: Array<{ n: string }> = await ctx.em.query(`SELECT wandb_number AS n FROM projects WHERE organization_id = $1 AND id = $2`, [
      ctx.organization.id,
      ctx.currentProject.id,
    ]);
    return Number(rows[0]?.n);
  }

  /**
   * A page of a run's files, every path (W&B lists files flat), in path order after `after`:
   * exact `names` when given, else paths matching `pattern` (W&B's LIKE syntax) when given.
   */
  async runFiles(
    ctx: RequestContext,
    runId: string,
    q: { names: string[] | null; pattern: string | null; after: string | null; limit: number },
  ): Promise<Array<StoredObjectRow & { path: string; linked_at: Date }>> {
    return ctx.em.query(
      `SELECT ${OBJECT_COLUMNS}, f.path, f.created_at AS linked_at
         FROM run_files f JOIN stored_objects o ON o.id = f.object_id
        WHERE f.organization_id = $1 AND f.run_id = $2 AND o.state = 'available'
          AND ($3::text[] IS NULL OR f.path = ANY($3::text[])) AND ($4::text IS NULL OR f.path LIKE $4)
          AND ($5::text IS NULL OR f.path > $5)
        ORDER BY f.path LIMIT $6`,
      [ctx.organization.id, runId, q.names, q.pattern, q.after, q.limit],
    );
  }

  async runFileCount(ctx: RequestContext, runId: string): Promise<number> {
    const rows: Array<{ n: string }> = await ctx.em.query(
      `SELECT count(*) AS n FROM run_files f JOIN stored_objects o ON o.id = f.object_id
        WHERE f.organization_id = $1 AND f.run_id = $2 AND o.state = 'available'`,
      [ctx.organization.id, runId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Links a version into a portfolio of the context's project: the next index there (from 0), or
   * the index it has if it is linked already. Links of one portfolio are numbered one at a time.
   */
  async link(ctx: RequestContext, portfolio: string, versionId: string): Promise<number> {
    const where = [ctx.organization.id, ctx.currentProject.id, portfolio];
    await ctx.em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text || '/' || $3::text, 0))`, where);
    await ctx.em.query(
      `INSERT INTO wandb_artifact_links (organization_id, project_id, portfolio, link_index, version_id)
       SELECT $1::uuid, $2::uuid, $3::text, coalesce(max(link_index) + 1, 0), $4::uuid FROM wandb_artifact_links
        WHERE organization_id = $1 AND project_id = $2 AND portfolio = $3
       ON CONFLICT (organization_id, project_id, portfolio, version_id) DO NOTHING`,
      [...where, versionId],
    );
    const rows: Array<{ link_index: number }> = await ctx.em.query(
      `SELECT link_index FROM wandb_artifact_links WHERE organization_id = $1 AND project_id = $2 AND portfolio = $3 AND version_id = $4`,
      [...where, versionId],
    );
    return rows[0]!.link_index;
  }

  /** Gives the link at `index` these aliases; a link of the portfolio that had one loses it (an alias names one link). */
  async addLinkAliases(ctx: RequestContext, portfolio: string, index: number, aliases: string[]): Promise<void> {
    if (!aliases.length) return;
    const where = [ctx.organization.id, ctx.currentProject.id, portfolio, index, aliases];
    await ctx.em.query(
      `UPDATE wandb_artifact_links SET aliases = ARRAY(SELECT a FROM unnest(aliases) a WHERE a <> ALL($5::text[]))
        WHERE organization_id = $1 AND project_id = $2 AND portfolio = $3 AND link_index <> $4 AND aliases && $5::text[]`,
      where,
    );
    await ctx.em.query(
      `UPDATE wandb_artifact_links SET aliases = ARRAY(SELECT DISTINCT a FROM unnest(aliases || $5::text[]) a ORDER BY a)
        WHERE organization_id = $1 AND project_id = $2 AND portfolio = $3 AND link_index = $4`,
      where,
    );
  }

  /** The link of a portfolio of the context's project that `ref` names: `latest`, `v<index>` (W&B's numbering) or an alias. */
  async findLink(ctx: RequestContext, portfolio: string, ref: string): Promise<WandbLinkRow | null> {
    const index = /^v(\d{1,9})$/.exec(ref);
    const rows: WandbLinkRow[] = await ctx.em.query(
      `WITH links AS (
         SELECT l.*, l.link_index = max(l.link_index) OVER () AS latest
           FROM wandb_artifact_links l WHERE l.organization_id = $1 AND l.project_id = $2 AND l.portfolio = $3)
       SELECT l.link_index, l.version_id, l.aliases, l.latest, a.name AS artifact, p.slug AS project
         FROM links l
         JOIN artifact_versions v ON v.organization_id = l.organization_id AND v.id = l.version_id
         JOIN artifacts a ON a.organization_id = v.organization_id AND a.id = v.artifact_id
         JOIN projects p ON p.organization_id = a.organization_id AND p.id = a.project_id
        WHERE CASE WHEN $4::text = 'latest' THEN l.latest WHEN $5::int IS NOT NULL THEN l.link_index = $5 ELSE $4 = ANY(l.aliases) END
        LIMIT 1`,
      [ctx.organization.id, ctx.currentProject.id, portfolio, ref, index ? Number(index[1]) : null],
    );
    return rows[0] ?? null;
  }

  /** Records the W&B digest of a draft version (CreateArtifact); its manifest follows when uploaded. */
  async saveDigest(ctx: RequestContext, versionId: string, digest: string): Promise<void> {
    await ctx.em.query(
      `INSERT INTO wandb_artifact_manifests (organization_id, version_id, digest) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, version_id) DO UPDATE SET digest = EXCLUDED.digest`,
      [ctx.organization.id, versionId, digest],
    );
  }

  /** Keeps the manifest the client uploaded for a version (the entries' MD5s and sizes are read back on download). */
  async saveManifest(ctx: RequestContext, versionId: string, manifest: object): Promise<void> {
    await ctx.em.query(`UPDATE wandb_artifact_manifests SET manifest = $3 WHERE organization_id = $1 AND version_id = $2`, [
      ctx.organization.id,
      versionId,
      JSON.stringify(manifest),
    ]);
  }

  async manifestOf(ctx: RequestContext, versionId: string): Promise<WandbManifestRow | null> {
    const rows: WandbManifestRow[] = await ctx.em.query(
      `SELECT version_id, digest, manifest FROM wandb_artifact_manifests WHERE organization_id = $1 AND version_id = $2`,
      [ctx.organization.id, versionId],
    );
    return rows[0] ?? null;
  }

  /** The W&B record of a draft that became another, identical version: the survivor keeps one if it had none. */
  async copyManifest(ctx: RequestContext, from: WandbManifestRow, toVersionId: string): Promise<void> {
    await ctx.em.query(
      `INSERT INTO wandb_artifact_manifests (organization_id, version_id, digest, manifest) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, version_id) DO UPDATE SET manifest = coalesce(wandb_artifact_manifests.manifest, EXCLUDED.manifest)`,
      [ctx.organization.id, toVersionId, from.digest, from.manifest === null ? null : JSON.stringify(from.manifest)],
    );
  }

  /** The committed version of an artifact (by name, in the context's project) whose W&B digest is `digest`. */
  async committedWithDigest(ctx: RequestContext, artifact: string, digest: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await ctx.em.query(
      `SELECT v.id FROM wandb_artifact_manifests m
         JOIN artifact_versions v ON v.id = m.version_id AND v.organization_id = m.organization_id
         JOIN artifacts a ON a.id = v.artifact_id
        WHERE m.organization_id = $1 AND m.digest = $2 AND a.project_id = $3 AND a.name = $4 AND v.state = 'committed'
        ORDER BY v.number DESC LIMIT 1`,
      [ctx.organization.id, digest, ctx.currentProject.id, artifact],
    );
    return rows[0]?.id ?? null;
  }

  /** The W&B tags of a version, by name. */
  async tagsOf(ctx: RequestContext, versionId: string): Promise<string[]> {
    const rows: Array<{ name: string }> = await ctx.em.query(
      `SELECT name FROM wandb_artifact_tags WHERE organization_id = $1 AND version_id = $2 ORDER BY name`,
      [ctx.organization.id, versionId],
    );
    return rows.map((r) => r.name);
  }

  /** Gives a version W&B tags (those it has already stay once). */
  async addTags(ctx: RequestContext, versionId: string, names: string[]): Promise<void> {
    if (!names.length) return;
    await ctx.em.query(
      `INSERT INTO wandb_artifact_tags (organization_id, version_id, name) SELECT $1, $2, unnest($3::text[])
       ON CONFLICT (organization_id, version_id, name) DO NOTHING`,
      [ctx.organization.id, versionId, names],
    );
  }

  async deleteTags(ctx: RequestContext, versionId: string, names: string[]): Promise<void> {
    if (!names.length) return;
    await ctx.em.query(`DELETE FROM wandb_artifact_tags WHERE organization_id = $1 AND version_id = $2 AND name = ANY($3::text[])`, [
      ctx.organization.id,
      versionId,
      names,
    ]);
  }

  /** The state row of a run, created empty when missing; locked for the rest of the transaction. */
  async lockState(ctx: RequestContext, runId: string): Promise<WandbRunState> {
    await ctx.em.query(
      `INSERT INTO wandb_runs (organization_id, run_id) VALUES ($1, $2) ON CONFLICT (organization_id, run_id) DO NOTHING`,
      [ctx.organization.id, runId],
    );
    const rows: WandbRunState[] = await ctx.em.query(`SELECT * FROM wandb_runs WHERE organization_id = $1 AND run_id = $2 FOR UPDATE`, [
      ctx.organization.id,
      runId,
    ]);
    return rows[0]!;
  }

  async findState(ctx: RequestContext, runId: string): Promise<WandbRunState | null> {
    const rows: WandbRunState[] = await ctx.em.query(`SELECT * FROM wandb_runs WHERE organization_id = $1 AND run_id = $2`, [
      ctx.organization.id,
      runId,
    ]);
    return rows[0] ?? null;
  }

  async saveState(
    ctx: RequestContext,
    runId: string,
    set: Partial<Pick<WandbRunState, 'history_lines' | 'events_lines' | 'console_lines' | 'history_tail' | 'events_tail'>> & {
      batch_seq?: number;
      config?: Record<string, unknown>;
      summary?: Record<string, unknown>;
    },
  ): Promise<void> {
    const columns = Object.keys(set) as Array<keyof typeof set>;
    if (!columns.length) return;
    const values = columns.map((c) => (c === 'config' || c === 'summary' ? JSON.stringify(set[c]) : set[c]));
    const assignments = columns.map((c, i) => `${c} = $${i + 3}`).join(', ');
    await ctx.em.query(`UPDATE wandb_runs SET ${assignments} WHERE organization_id = $1 AND run_id = $2`, [
      ctx.organization.id,
      runId,
      ...values,
    ]);
  }

  /**
   * Console lines the client sends again at an offset it already sent (a
   * progress bar redrawn with `\r`): the stored line at that step of the run's
   * text series is replaced. Returns the offsets that held no line.
   */
  async overwriteConsoleLines(ctx: RequestContext, runId: string, lines: Array<{ step: number; line: string }>): Promise<number[]> {
    if (!lines.length) return [];
    const rows: Array<{ step: string }> = await ctx.em.query(
      `WITH input AS (SELECT * FROM unnest($3::bigint[], $4::text[]) AS i(step, line)),
            target AS (
              SELECT t.id, i.step, i.line FROM input i
                JOIN series s ON s.organization_id = $1 AND s.run_id = $2 AND s.kind = 'text'
                JOIN text_segments t ON t.series_id = s.id AND i.step BETWEEN t.first_step AND t.last_step AND i.step = ANY(t.steps)),
            updated AS (
              UPDATE text_segments t SET lines[array_position(t.steps, g.step)] = g.line
                FROM (SELECT DISTINCT ON (step) id, step, line FROM target) g
               WHERE t.id = g.id AND t.organization_id = $1
              RETURNING g.step)
       SELECT i.step FROM input i WHERE i.step NOT IN (SELECT step FROM updated)`,
      [ctx.organization.id, runId, lines.map((l) => l.step), lines.map((l) => l.line)],
    );
    return rows.map((r) => Number(r.step));
  }

  /** Keeps history media waiting for the upload of their file (`path` under `media/`). */
  async addPendingMedia(ctx: RequestContext, runId: string, refs: Array<{ path: string; ref: object }>): Promise<void> {
    if (!refs.length) return;
    await ctx.em.query(
      `INSERT INTO wandb_pending_media (organization_id, run_id, path, ref)
       SELECT $1, $2, p, r FROM unnest($3::text[], $4::jsonb[]) AS i(p, r)`,
      [ctx.organization.id, runId, refs.map((r) => r.path), refs.map((r) => JSON.stringify(r.ref))],
    );
  }

  /** Takes (reads and deletes) what waited for the file at `path`, oldest first. */
  async takePendingMedia(ctx: RequestContext, runId: string, path: string): Promise<object[]> {
    const rows: Array<{ id: string; ref: object }> = await ctx.em.query(
      `WITH taken AS (DELETE FROM wandb_pending_media WHERE organization_id = $1 AND run_id = $2 AND path = $3 RETURNING id, ref)
       SELECT id, ref FROM taken ORDER BY id`,
      [ctx.organization.id, runId, path],
    );
    return rows.map((r) => r.ref);
  }
}
