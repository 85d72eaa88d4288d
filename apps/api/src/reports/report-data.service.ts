import { Injectable } from '@nestjs/common';
import {
  panelMetrics,
  REPORT_LIMITS,
  seriesQueryRequestSchema,
  type PackedSeries,
  type PanelBlock,
  type ReportBlockParsed,
  type ReportData,
} from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/context/principal';
import { RequestContext, type OrgScope, type ProjectScope } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { MediaService } from '../media/media.service';
import { runKey } from '../runs/run-key';
import { RunsQueryService } from '../runs/runs-query.service';
import { RunsRepository } from '../runs/runs.repository';
import { SeriesQueryService } from '../runs/series/series-query.service';
import { ReportsRepository, type FrozenData } from './reports.repository';

/** Who reads and in which transaction: a signed-in reader, or nobody (a share link). */
export interface DataScope {
  requestId: string;
  principal: Principal | null;
  org: OrgScope;
  em: EntityManager;
}

export interface PanelRequest {
  block: string;
  runs?: string[];
  maxPoints: number;
  /** Media panels: the slider's step. */
  step?: number;
}

/**
 * The one read path for the data of a report's panels, for readers, named
 * members and share links alike: a panel shows the runs of its run set (as
 * frozen at publication when it is frozen) and its metrics, nothing else.
 * Asking for any other run answers 404, as a run that does not exist.
 */
@Injectable()
export class ReportDataService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly runs: RunsRepository,
    private readonly runsQuery: RunsQueryService,
    private readonly seriesQuery: SeriesQueryService,
    private readonly media: MediaService,
  ) {}

  panel(blocks: ReportBlockParsed[], id: string): PanelBlock {
    const block = blocks.find((b) => b.id === id);
    if (!block || block.type === 'text') throw notFound('panel');
    return block;
  }

  /** A context for reading one project's runs on the report's behalf (as its reader). */
  async projectContext(scope: DataScope, slug: string): Promise<RequestContext | null> {
    const project = await this.repo.project(scope.em, scope.org.id, slug);
    if (!project) return null;
    const projectScope: ProjectScope = { ...project, role: 'viewer' };
    const ctx = new RequestContext(scope.requestId, scope.principal, scope.org, projectScope);
    ctx.bindTransaction(scope.em);
    return ctx;
  }

  /** The run ids a panel's run set names now (a fixed list, or what its filter matches, newest first). */
  async resolveRunSet(scope: DataScope, block: PanelBlock): Promise<{ ctx: RequestContext | null; ids: string[] }> {
    const ctx = await this.projectContext(scope, block.runSet.project);
    if (!ctx) return { ctx, ids: [] };
    if (block.runSet.runs) {
      const resolved = await this.runs.resolveRefs(ctx, block.runSet.runs);
      return { ctx, ids: [...new Set(block.runSet.runs.map((r) => resolved.get(r)).filter((id): id is string => !!id))] };
    }
    const list = await this.runsQuery.list(ctx, { filter: block.runSet.filter || undefined, limit: block.runSet.limit ?? 20 });
    return { ctx, ids: list.items.map((r) => r.id) };
  }

  /** At publication: the runs of each frozen panel and each run's last step, so the version does not move. */
  async freeze(scope: DataScope, blocks: ReportBlockParsed[]): Promise<FrozenData> {
    const frozen: FrozenData = {};
    for (const block of blocks) {
      if (block.type === 'text' || !block.freeze?.atPublication) continue;
      const { ctx, ids } = await this.resolveRunSet(scope, block);
      const steps: Record<string, number | null> = Object.fromEntries(ids.map((id) => [id, null]));
      const metrics = panelMetrics(block);
      if (ctx && ids.length && block.type === 'media') {
        // A frozen media panel stops each run at the last step it had logged media at publication.
        const grid = await this.media.grid(ctx, { runs: ids, keys: block.keys, withSteps: true });
        for (const cell of grid.cells) {
          const last = cell.steps?.at(-1);
          if (last !== undefined) steps[cell.runId] = Math.max(steps[cell.runId] ?? -1, last);
        }
      } else if (ctx && ids.length && metrics.length) {
        const summary = await this.seriesQuery.read(ctx, seriesQueryRequestSchema.parse({ runs: ids, names: metrics, maxPoints: 0 }));
        for (const s of summary.series) {
          const id = summary.runs[s.run]!;
          if (s.lastStep !== null) steps[id] = Math.max(steps[id] ?? -1, s.lastStep);
        }
      }
      frozen[block.id] = { runs: ids, steps };
    }
    return frozen;
  }

  async read(scope: DataScope, blocks: ReportBlockParsed[], frozen: FrozenData | null, request: PanelRequest): Promise<ReportData> {
    const block = this.panel(blocks, request.block);
    const frozenBlock = frozen?.[block.id];
    let ctx: RequestContext | null;
    let allowed: string[];
    if (frozenBlock) {
      ctx = await this.projectContext(scope, block.runSet.project);
      allowed = frozenBlock.runs;
    } else {
      ({ ctx, ids: allowed } = await this.resolveRunSet(scope, block));
    }
    const wanted = request.runs ?? allowed;
    if (wanted.some((id) => !allowed.includes(id))) throw notFound('run');
    const cutoffStep = block.freeze?.step ?? null;
    if (!ctx || !wanted.length) return { block: block.id, runs: [], series: [], cutoffStep };

    const rows = new Map((await this.repo.runs(scope.em, scope.org.id, wanted)).map((r) => [r.id, r]));
    const ids = wanted.filter((id) => rows.has(id));
    const runs = ids.map((id) => {
      const r = rows.get(id)!;
      return { id, key: runKey(r.project_slug, r.number), name: r.name, state: r.state, project: r.project_slug, params: r.params ?? {} };
    });
    const runIndex = new Map(ids.map((id, i) => [id, i]));
    // Runs grouped by their last step: one query per cutoff (a frozen panel stops each run where it was at publication).
    const groups = new Map<number | null, string[]>();
    for (const id of ids) {
      const atPublication = frozenBlock ? (frozenBlock.steps[id] ?? -1) : null;
      const cut = [atPublication, cutoffStep].filter((s): s is number => s !== null);
      const to = cut.length ? Math.min(...cut) : null;
      groups.set(to, [...(groups.get(to) ?? []), id]);
    }
    if (block.type === 'media')
      return { block: block.id, runs, series: [], cutoffStep, media: await this.mediaGrid(ctx, block, ids, groups, request.step) };
    const series: PackedSeries[] = [];
    const metrics = panelMetrics(block);
    if (metrics.length) {
      for (const [to, group] of groups) {
        if (to !== null && to < 0) continue;
        const answer = await this.seriesQuery.read(
          ctx,
          seriesQueryRequestSchema.parse({
            runs: group,
            names: metrics,
            // Only a line chart needs points; the other panels the last value (at the cutoff: the last point before it).
            maxPoints: block.type === 'line' ? request.maxPoints : to === null ? 0 : 1,
            times: false,
            ...(to !== null ? { to } : {}),
          }),
        );
        for (const s of answer.series) series.push(cut(s, to, runIndex.get(answer.runs[s.run]!)!));
      }
    }
    series.sort((a, b) => a.run - b.run || (a.name < b.name ? -1 : 1));
    return { block: block.id, runs, series, cutoffStep };
  }

  /**
   * A media panel's grid: each run's latest items at or before the step asked for (the block's step, or the
   * latest), never past its cutoff (the freeze step, or where the run was at publication), and the steps the
   * slider offers (those at or before the cutoffs).
   */
  private async mediaGrid(
    ctx: RequestContext,
    block: Extract<PanelBlock, { type: 'media' }>,
    ids: string[],
    cutoffs: Map<number | null, string[]>,
    step: number | undefined,
  ): Promise<NonNullable<ReportData['media']>> {
    const wanted = step ?? block.step;
    const runSteps: Record<string, number | null> = {};
    for (const [to, group] of cutoffs) {
      for (const id of group) {
        const at = [to, wanted].filter((s): s is number => s !== null && s !== undefined);
        if (to !== null && to < 0) runSteps[id] = null;
        else if (at.length) runSteps[id] = Math.min(...at);
      }
    }
    if (!ids.length) return { step: wanted ?? null, steps: [], cells: [] };
    const grid = await this.media.grid(ctx, {
      runs: ids,
      keys: block.keys,
      ...(wanted !== undefined ? { step: wanted } : {}),
      runSteps,
      withSteps: true,
    });
    const cutOf = new Map<string, number | null>();
    for (const [to, group] of cutoffs) for (const id of group) cutOf.set(id, to);
    const steps = new Set<number>();
    for (const cell of grid.cells) {
      const to = cutOf.get(cell.runId) ?? null;
      for (const s of cell.steps ?? []) if (to === null || s <= to) steps.add(s);
    }
    const all = [...steps].sort((a, b) => a - b).slice(-REPORT_LIMITS.mediaSteps);
    return {
      step: wanted ?? all.at(-1) ?? null,
      steps: all,
      cells: grid.cells.map(({ steps: _steps, ...cell }) => cell),
    };
  }
}

/** Re-indexes a series into the panel's runs and hides what lies past the cutoff, summaries included. */
function cut(s: PackedSeries, to: number | null, run: number): PackedSeries {
  if (to === null || s.lastStep === null || s.lastStep <= to) return { ...s, run };
  const n = s.steps.length;
  return { ...s, run, totalPoints: n, lastStep: n ? s.steps[n - 1]! : null, last: n ? s.values[n - 1]! : null };
}
