import { paths, type Run, type RunState } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { runKey } from './run-key';

/** A `runs` row as the SQL in this folder selects it. */
export interface RunRecord {
  id: string;
  number: number;
  name: string;
  external_id: string | null;
  state: RunState;
  created_by: string | null;
  created_at: Date;
  started_at: Date;
  ended_at: Date | null;
  heartbeat_at: Date | null;
  description: string;
  notes: string;
  tags: string[];
  params: Record<string, unknown>;
  context?: Record<string, unknown>;
  fork_parent_id: string | null;
  fork_step: string | null;
  /** Only where FORK_PARENT_NUMBER was selected; run lists leave `fork` out. */
  fork_parent_number?: number | null;
  /** With fork_parent_number: the slug of the parent's project (another project of the organization, or this one). */
  fork_parent_project?: string | null;
}

export const RUN_COLUMNS = `r.id, r.number, r.name, r.external_id, r.state, r.created_by, r.created_at, r.started_at,
  r.ended_at, r.heartbeat_at, r.description, r.notes, r.tags, r.params,
  r.fork_parent_id, r.fork_step`;

/** The fork parent's number (for its key): selected by the single-run queries only, so run lists keep their plans. */
export const FORK_PARENT_NUMBER = `(SELECT fp.number FROM runs fp WHERE fp.id = r.fork_parent_id) AS fork_parent_number,
  (SELECT pp.slug FROM runs fp JOIN projects pp ON pp.id = fp.project_id WHERE fp.id = r.fork_parent_id) AS fork_parent_project`;

/** A run's fork relation as answers carry it; `project` only when the parent is in another project. */
export function forkOf(
  ctx: RequestContext,
  row: Pick<RunRecord, 'fork_parent_id' | 'fork_step' | 'fork_parent_number' | 'fork_parent_project'>,
): Run['fork'] {
  if (!row.fork_parent_id || row.fork_parent_number === null || row.fork_parent_number === undefined) return null;
  const slug = row.fork_parent_project ?? ctx.currentProject.slug;
  return {
    runId: row.fork_parent_id,
    key: runKey(slug, row.fork_parent_number),
    step: Number(row.fork_step),
    ...(slug === ctx.currentProject.slug ? {} : { project: slug }),
  };
}

export function toRunDto(ctx: RequestContext, row: RunRecord): Run {
  const key = runKey(ctx.currentProject.slug, row.number);
  return {
    id: row.id,
    key,
    number: row.number,
    name: row.name,
    externalId: row.external_id,
    state: row.state,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
    heartbeatAt: row.heartbeat_at?.toISOString() ?? null,
    description: row.description,
    notes: row.notes,
    tags: row.tags,
    params: row.params,
    url: `${ctx.origin}${paths.runPage(ctx.organization.slug, ctx.currentProject.slug, key)}`,
    ...(row.fork_parent_number === undefined ? {} : { fork: forkOf(ctx, row) }),
  };
}
