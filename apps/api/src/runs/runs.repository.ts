import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { queryRows } from '../database/sql';
import { parseRunRef } from './run-key';
import { FORK_PARENT_NUMBER, RUN_COLUMNS, type RunRecord } from './run-row';

/** Forks of forks are followed this many levels up; a longer chain inherits from its nearest ancestors only. */
export const MAX_FORK_DEPTH = 32;

/** An ancestor of a fork: the run, the step through which the fork inherits from it, and its project. */
export interface ForkAncestor {
  runId: string;
  through: number;
  projectId: string;
  projectSlug: string;
}

/** A run the crash sweep marked crashed, with its project's slug for the run key. */
export interface CrashedRunRow {
  id: string;
  organization_id: string;
  project_id: string;
  number: number;
  name: string;
  tags: string[];
  slug: string;
}

/** SQL for the runs table. Every query names the organization and project of the context. */
@Injectable()
export class RunsRepository {
  /** Resolves `{run}` (uuid or short key) within the current project, locking the row when asked. */
  async find(
    ctx: RequestContext,
    ref: string,
    options: { lock?: boolean; withContext?: boolean; project?: { id: string; slug: string } } = {},
  ): Promise<RunRecord> {
    const project = options.project ?? ctx.currentProject;
    const parsed = parseRunRef(ref, project.slug);
    if (!parsed) throw notFound('run');
    const [column, value] = 'id' in parsed ? ['r.id', parsed.id] : ['r.number', parsed.number];
    const rows: RunRecord[] = await ctx.em.query(
      `SELECT ${RUN_COLUMNS}, ${FORK_PARENT_NUMBER}${options.withContext ? ', r.context' : ''}
         FROM runs r
        WHERE r.organization_id = $1 AND r.project_id = $2 AND ${column} = $3
        ${options.lock ? 'FOR UPDATE' : ''}`,
      [ctx.organization.id, project.id, value],
    );
    if (!rows[0]) throw notFound('run');
    return rows[0];
  }

  /** Resolves many `{run}` refs in one statement: ref → run id, for the refs that name a run of this project. */
  async resolveRefs(ctx: RequestContext, refs: string[]): Promise<Map<string, string>> {
    const found = await this.resolveWithParams(ctx, refs, false);
    return new Map([...found].map(([ref, run]) => [ref, run.id]));
  }

  /** As resolveRefs, with each run's params when asked. */
  async resolveWithParams(
    ctx: RequestContext,
    refs: string[],
    withParams: boolean,
  ): Promise<Map<string, { id: string; params?: Record<string, unknown> }>> {
    const ids: string[] = [];
    const numbers: number[] = [];
    for (const ref of refs) {
      const parsed = parseRunRef(ref, ctx.currentProject.slug);
      if (parsed && 'id' in parsed) ids.push(parsed.id);
      else if (parsed && parsed.number <= 2_147_483_647) numbers.push(parsed.number);
    }
    const rows: Array<{ id: string; number: number; params?: Record<string, unknown> }> = await ctx.em.query(
      `SELECT r.id, r.number${withParams ? ', r.params' : ''} FROM runs r
        WHERE r.organization_id = $1 AND r.project_id = $2 AND (r.id = ANY($3::uuid[]) OR r.number = ANY($4::int[]))`,
      [ctx.organization.id, ctx.currentProject.id, ids, numbers],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const byNumber = new Map(rows.map((r) => [r.number, r]));
    const resolved = new Map<string, { id: string; params?: Record<string, unknown> }>();
    for (const ref of refs) {
      const parsed = parseRunRef(ref, ctx.currentProject.slug);
      const row = !parsed ? undefined : 'id' in parsed ? byId.get(parsed.id) : byNumber.get(parsed.number);
      if (row) resolved.set(ref, withParams ? { id: row.id, params: row.params } : { id: row.id });
    }
    return resolved;
  }

  async findByExternalId(ctx: RequestContext, externalId: string): Promise<RunRecord | null> {
    const rows: RunRecord[] = await ctx.em.query(
      `SELECT ${RUN_COLUMNS}, ${FORK_PARENT_NUMBER} FROM runs r WHERE r.organization_id = $1 AND r.project_id = $2 AND r.external_id = $3`,
      [ctx.organization.id, ctx.currentProject.id, externalId],
    );
    return rows[0] ?? null;
  }

  /** Takes the next number of the project; the row lock orders concurrent creations. */
  async nextNumber(ctx: RequestContext): Promise<number> {
    const rows = await queryRows<{ number: number }>(
      ctx.em,
      `UPDATE projects SET next_run_number = next_run_number + 1
        WHERE organization_id = $1 AND id = $2
        RETURNING next_run_number - 1 AS number`,
      [ctx.organization.id, ctx.currentProject.id],
    );
    return rows[0]!.number;
  }

  /** Inserts unless the external id exists; returns null on that conflict. */
  async insert(
    ctx: RequestContext,
    run: {
      number: number;
      name: string;
      externalId: string | null;
      description: string;
      tags: string[];
      params: object;
      context: object;
      startedAt?: string | null;
      fork?: { parentId: string; step: number } | null;
    },
  ): Promise<RunRecord | null> {
    const rows: RunRecord[] = await ctx.em.query(
      `INSERT INTO runs AS r (organization_id, project_id, number, name, external_id, state, created_by, heartbeat_at, description, tags, params, context, started_at, fork_parent_id, fork_step)
       VALUES ($1, $2, $3, $4, $5, 'running', $6, now(), $7, $8, $9, $10, COALESCE($11::timestamptz, now()), $12, $13)
       ON CONFLICT (organization_id, project_id, external_id) DO NOTHING
       RETURNING ${RUN_COLUMNS}, ${FORK_PARENT_NUMBER}`,
      [
        ctx.organization.id,
        ctx.currentProject.id,
        run.number,
        run.name,
        run.externalId,
        ctx.user.userId,
        run.description,
        run.tags,
        JSON.stringify(run.params),
        JSON.stringify(run.context),
        run.startedAt ?? null,
        run.fork?.parentId ?? null,
        run.fork?.step ?? null,
      ],
    );
    return rows[0] ?? null;
  }

  /**
   * The fork chain above each run: for every run that is a fork, its ancestors nearest first, each with the
   * step through which the run inherits from it (the smallest fork step on the way down). Bounded depth.
   */
  async forkChains(ctx: RequestContext, runIds: string[]): Promise<Map<string, ForkAncestor[]>> {
    const rows = await queryRows<{ run_id: string; ancestor_id: string; through: string; project_id: string; project_slug: string }>(
      ctx.em,
      `WITH RECURSIVE chain(run_id, ancestor_id, through, depth) AS (
         SELECT r.id, r.fork_parent_id, r.fork_step, 1 FROM runs r
          WHERE r.organization_id = $1 AND r.id = ANY($2::uuid[]) AND r.fork_parent_id IS NOT NULL
         UNION ALL
         SELECT c.run_id, p.fork_parent_id, LEAST(c.through, p.fork_step), c.depth + 1
           FROM chain c JOIN runs p ON p.id = c.ancestor_id AND p.organization_id = $1
          WHERE p.fork_parent_id IS NOT NULL AND c.depth < ${MAX_FORK_DEPTH}
       )
       SELECT c.run_id, c.ancestor_id, c.through, a.project_id, p.slug AS project_slug
         FROM chain c JOIN runs a ON a.id = c.ancestor_id AND a.organization_id = $1 JOIN projects p ON p.id = a.project_id
        ORDER BY c.run_id, c.depth`,
      [ctx.organization.id, runIds],
    );
    const chains = new Map<string, ForkAncestor[]>();
    for (const r of rows) {
      const list = chains.get(r.run_id) ?? [];
      list.push({ runId: r.ancestor_id, through: Number(r.through), projectId: r.project_id, projectSlug: r.project_slug });
      chains.set(r.run_id, list);
    }
    return chains;
  }

  async update(ctx: RequestContext, id: string, set: Record<string, unknown>): Promise<RunRecord> {
    const columns = Object.keys(set);
    const assignments = columns.map((c, i) => `${c} = $${i + 3}`).join(', ');
    const rows = await queryRows<RunRecord>(
      ctx.em,
      `UPDATE runs r SET ${assignments} WHERE r.organization_id = $1 AND r.id = $2 RETURNING ${RUN_COLUMNS}, ${FORK_PARENT_NUMBER}`,
      [ctx.organization.id, id, ...columns.map((c) => set[c])],
    );
    return rows[0]!;
  }

  /** Heartbeat: keeps a run alive and revives one that was marked crashed. */
  async touch(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(
      `UPDATE runs SET heartbeat_at = now(),
              state = CASE WHEN state = 'crashed' THEN 'running' ELSE state END,
              ended_at = CASE WHEN state = 'crashed' THEN NULL ELSE ended_at END
        WHERE organization_id = $1 AND id = $2
          AND (state = 'crashed' OR heartbeat_at IS NULL OR heartbeat_at < now() - interval '2 seconds')`,
      [ctx.organization.id, id],
    );
  }

  /**
   * Marks every `running` run (of every organization) whose last heartbeat is older than `timeoutSeconds` as
   * `crashed`, ended at that heartbeat; returns the runs it changed with their project's slug. Idempotent.
   */
  markCrashed(db: Pick<EntityManager, 'query'>, timeoutSeconds: number): Promise<CrashedRunRow[]> {
    return queryRows<CrashedRunRow>(
      db,
      `UPDATE runs r SET state = 'crashed', ended_at = r.heartbeat_at
         FROM projects p
        WHERE p.id = r.project_id AND r.state = 'running' AND r.heartbeat_at < now() - make_interval(secs => $1)
        RETURNING r.id, r.organization_id, r.project_id, r.number, r.name, r.tags, p.slug`,
      [timeoutSeconds],
    );
  }
}
