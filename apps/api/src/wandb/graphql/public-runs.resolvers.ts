import { Injectable } from '@nestjs/common';
import { fromWireFloat, ProjectPermission, type RunDetail, type SeriesData, type SeriesKind } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { RunsQueryService } from '../../runs/runs-query.service';
import { RunsService } from '../../runs/runs.service';
import { SeriesService } from '../../runs/series/series.service';
import { FileAccessService } from '../../storage/file-access.service';
import { WandbRunsService } from '../runs/wandb-runs.service';
import { wandbBadRequest, wandbNotFound } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope, type WandbCaller, type WandbNeed } from '../wandb-scope.service';
import { bucketOf } from './run-bucket';

/** Work in the scope of one project, with the need named (W&B names the project in each query). */
type InProject = <T>(need: WandbNeed, work: (ctx: RequestContext) => Promise<T>) => Promise<T>;

/** The most points a history query reads per series (W&B's `samples`). */
const MAX_SAMPLES = 10_000;
const MAX_RUNS_PER_PAGE = 1_000;
const MAX_FILES_PER_PAGE = 1_000;

/** W&B's run orders Trackbase can sort by: the run's times, ascending (`+`, the default) or descending (`-`). */
const ORDERS: Record<string, string> = {
  created_at: 'created_at',
  createdAt: 'created_at',
  heartbeat_at: 'heartbeat_at',
  heartbeatAt: 'heartbeat_at',
};

/**
 * The public API's run queries (`wandb.Api().run(...)`, `.runs(...)`, `run.history()`,
 * `run.files()`, `run.summary`, `run.lastHistoryStep`) and `deleteRun`. A run is read from
 * Trackbase: its W&B state row (config and summary as the client sent them), its details
 * (context, series), its metric and system series as history rows, and its files.
 */
@Injectable()
export class PublicRunsResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly wandbRuns: WandbRunsService,
    private readonly runs: RunsService,
    private readonly runsQuery: RunsQueryService,
    private readonly series: SeriesService,
    private readonly fileAccess: FileAccessService,
    private readonly repository: WandbRepository,
  ) {}

  root() {
    return {
      deleteRun: async ({ input }: { input: { id: string; clientMutationId?: string | null } }, { caller }: { caller: WandbCaller }) => {
        const home = await this.repository.runHome(caller.principal.userId, input.id);
        if (!home) throw wandbNotFound(`run ${input.id}`);
        await this.scope.inProject(caller, home.entity, home.project, 'runs', (ctx) => this.runs.delete(ctx, input.id));
        return { clientMutationId: input.clientMutationId ?? null };
      },
    };
  }

  /**
   * The Project fields of the run queries (`fields`) and the Run fields of one of its runs
   * (`runFields`), for the project of `ctx`; each field opens its own scope when it is selected.
   */
  projectFields(caller: WandbCaller, ctx: RequestContext) {
    const [entity, project] = [ctx.organization.slug, ctx.currentProject.slug];
    const inProject: InProject = (need, work) => this.scope.inProject(caller, entity, project, need, work);
    const readOnly = !ctx.can(ProjectPermission.RunsWrite);
    let number: Promise<number> | undefined;
    const projectNumber = () => (number ??= inProject('read', (inner) => this.repository.projectNumber(inner)));
    const runFields = (runId: string) => this.runFields(inProject, projectNumber, readOnly, runId);
    const fields = {
      readOnly,
      runCount: ({ filters }: { filters?: string | null }) =>
        inProject('read', async (ctx) => {
          checkFilters(filters);
          return (await this.runsQuery.list(ctx, { limit: 1 })).total?.count ?? 0;
        }),
      runs: (args: { filters?: string | null; after?: string | null; first?: number | null; order?: string | null }) =>
        inProject('read', async (ctx) => {
          checkFilters(args.filters);
          const limit = Math.min(Math.max(args.first ?? 50, 1), MAX_RUNS_PER_PAGE);
          const page = await this.runsQuery.list(ctx, {
            limit,
            sort: sortOf(args.order),
            ...(args.after ? { cursor: args.after } : {}),
          });
          const edges = [];
          for (const item of page.items) {
            const found = await this.wandbRuns.byId(ctx, item.id);
            if (found)
              edges.push({ node: { ...bucketOf(ctx, found.run, found.state), ...runFields(item.id) }, cursor: page.nextCursor ?? '' });
          }
          return { edges, pageInfo: { endCursor: page.nextCursor, hasNextPage: page.nextCursor !== null } };
        }),
    };
    return { fields, runFields };
  }

  /** The Run fields the public API selects beyond those of the writer path; each is read when selected. */
  private runFields(inProject: InProject, projectNumber: () => Promise<number>, readOnly: boolean, runId: string) {
    let detail: Promise<RunDetail> | undefined;
    const details = () => (detail ??= inProject('read', (ctx) => this.runs.get(ctx, runId)));
    const wandbContext = async () => ((await details()).context.wandb ?? {}) as Record<string, unknown>;
    return {
      projectId: projectNumber,
      group: async () => stringOrNull((await wandbContext()).group),
      jobType: async () => stringOrNull((await wandbContext()).jobType),
      commit: async () => stringOrNull(((await details()).context.source as { commit?: unknown } | undefined)?.commit),
      readOnly,
      user: async () => {
        const { createdBy } = (await details()) as { createdBy?: string | null };
        const user = createdBy ? await this.repository.user(createdBy) : null;
        return user ? { id: user.id, name: user.name, username: user.name } : null;
      },
      historyKeys: async () => historyKeysOf((await details()).series),
      sampledHistory: ({ specs }: { specs: string[] }) =>
        inProject('read', async (ctx) => {
          const out = [];
          for (const raw of specs.slice(0, 20)) {
            const spec = parseSpec(raw);
            const names = spec.keys.filter((k) => k !== '_step');
            const data = names.length ? await this.read(ctx, runId, 'metric', names, spec) : [];
            out.push(rowsOf(data, ''));
          }
          return out;
        }),
      history: ({ samples }: { samples?: number | null }) =>
        inProject('read', async (ctx) =>
          rowsOf(await this.read(ctx, runId, 'metric', null, { samples: samples ?? 500 }), '').map((row) => JSON.stringify(row)),
        ),
      events: ({ samples }: { samples?: number | null }) =>
        inProject('read', async (ctx) =>
          rowsOf(await this.read(ctx, runId, 'system', null, { samples: samples ?? 500 }), 'system.').map((row) => JSON.stringify(row)),
        ),
      fileCount: () => inProject('read', (ctx) => this.repository.runFileCount(ctx, runId)),
      files: (args: { names?: Array<string | null> | null; after?: string | null; first?: number | null; pattern?: string | null }) =>
        inProject('read', async (ctx) => {
          const names = args.names?.filter((n): n is string => typeof n === 'string') ?? [];
          const limit = Math.min(Math.max(args.first ?? 50, 1), MAX_FILES_PER_PAGE);
          const rows = await this.repository.runFiles(ctx, runId, {
            names: names.length ? names : null,
            pattern: names.length ? null : (args.pattern ?? null),
            after: args.after ?? null,
            limit: limit + 1,
          });
          const page = rows.slice(0, limit);
          const edges = [];
          for (const row of page) {
            const { url } = await this.fileAccess.downloadUrl(ctx, row.path, row);
            edges.push({
              node: {
                id: row.id,
                name: row.path,
                displayName: row.path,
                url,
                directUrl: url,
                sizeBytes: Number(row.size),
                mimetype: row.content_type,
                updatedAt: (row.completed_at ?? row.linked_at).toISOString(),
                md5: null,
                digest: row.sha256,
              },
              cursor: row.path,
            });
          }
          return { edges, pageInfo: { endCursor: page.at(-1)?.path ?? null, hasNextPage: rows.length > limit } };
        }),
    };
  }

  private read(
    ctx: RequestContext,
    runId: string,
    kind: SeriesKind,
    names: string[] | null,
    spec: { samples: number; minStep?: number; maxStep?: number },
  ): Promise<SeriesData[]> {
    return this.series.read(ctx, {
      runIds: [runId],
      names,
      kind,
      from: spec.minStep ?? 0,
      to: spec.maxStep ?? Number.MAX_SAFE_INTEGER,
      maxPoints: Math.min(Math.max(spec.samples, 1), MAX_SAMPLES),
      search: null,
    });
  }
}

/** W&B's run filters (a MongoDB-style JSON document): only none (`{}`) is served. */
function checkFilters(filters: string | null | undefined): void {
  if (filters == null || filters === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(filters);
  } catch {
    throw wandbBadRequest('filters must be JSON');
  }
  if (parsed && typeof parsed === 'object' && Object.keys(parsed).length === 0) return;
  throw wandbBadRequest('run filters are not served by Trackbase (list the runs without filters)');
}

function sortOf(order: string | null | undefined): string {
  if (!order) return 'created_at';
  const descending = order.startsWith('-');
  const field = ORDERS[order.replace(/^[+-]/, '')];
  if (!field) throw wandbBadRequest(`runs can be ordered by created_at or heartbeat_at, not ${order}`);
  return `${descending ? '-' : ''}${field}`;
}

function parseSpec(raw: string): { keys: string[]; samples: number; minStep?: number; maxStep?: number } {
  let spec: unknown;
  try {
    spec = JSON.parse(raw);
  } catch {
    throw wandbBadRequest('a history spec must be JSON');
  }
  const s = (spec ?? {}) as { keys?: unknown; samples?: unknown; minStep?: unknown; maxStep?: unknown };
  if (!Array.isArray(s.keys) || !s.keys.every((k) => typeof k === 'string') || s.keys.length > 1_000)
    throw wandbBadRequest('a history spec names its keys');
  const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : undefined);
  return { keys: s.keys as string[], samples: int(s.samples) ?? 500, minStep: int(s.minStep), maxStep: int(s.maxStep) };
}

/** Series as W&B history rows: one per step, `_step` and each series' value there (`_timestamp` in seconds). */
export function rowsOf(data: SeriesData[], prefix: string): Array<Record<string, unknown>> {
  const rows = new Map<number, Record<string, unknown>>();
  for (const s of data) {
    s.steps.forEach((step, i) => {
      let row = rows.get(step);
      if (!row) rows.set(step, (row = { _step: step, _timestamp: s.times[i]! / 1000 }));
      row[`${prefix}${s.name}`] = s.lines ? s.lines[i] : fromWireFloat(s.values[i]!);
    });
  }
  return [...rows.keys()].sort((a, b) => a - b).map((step) => rows.get(step)!);
}

/** W&B's `historyKeys`: the last step and, per key, how many values of which type. */
export function historyKeysOf(series: RunDetail['series']) {
  const metrics = series.filter((s) => s.kind === 'metric');
  const steps = metrics.map((s) => s.lastStep).filter((s): s is number => s !== null);
  return {
    lastStep: steps.length ? Math.max(...steps) : -1,
    keys: Object.fromEntries(metrics.map((s) => [s.name, { typeCounts: [{ type: 'number', count: s.count }] }])),
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
