import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { notFound } from '../../common/errors/app-error';
import { runKey } from '../run-key';
import { RunsRepository } from '../runs.repository';
import { toAssetDto, type AssetRecord } from './lineage.repository';

export type LineageDirection = 'upstream' | 'downstream' | 'both';

export interface LineageStart {
  run?: string;
  kind?: 'dataset' | 'model';
  name?: string;
  version?: string;
}

interface Edge {
  asset_id: string;
  run_id: string;
  direction: 'input' | 'output';
}

/**
 * The graph dataset → run → model → run. Edges point along the data flow: an
 * input edge goes asset → run, an output edge run → asset. Upstream walks
 * against that flow, downstream with it, breadth first to the given depth.
 */
@Injectable()
export class LineageService {
  constructor(private readonly runs: RunsRepository) {}

  async graph(ctx: RequestContext, start: LineageStart, direction: LineageDirection, depth: number) {
    const root = await this.resolveStart(ctx, start);
    const seenRuns = new Set<string>(root.type === 'run' ? [root.id] : []);
    const seenAssets = new Set<string>(root.type === 'asset' ? [root.id] : []);
    const edges = new Map<string, Edge>();
    let frontierRuns = root.type === 'run' ? [root.id] : [];
    let frontierAssets = root.type === 'asset' ? [root.id] : [];

    for (let level = 0; level < depth && (frontierRuns.length || frontierAssets.length); level++) {
      const found: Edge[] = await ctx.em.query(
        `SELECT asset_id, run_id, direction FROM run_assets
          WHERE organization_id = $1 AND (
            (run_id = ANY($2::uuid[]) AND (($4 AND direction = 'input') OR ($5 AND direction = 'output')))
            OR (asset_id = ANY($3::uuid[]) AND (($4 AND direction = 'output') OR ($5 AND direction = 'input'))))`,
        [ctx.organization.id, frontierRuns, frontierAssets, direction !== 'downstream', direction !== 'upstream'],
      );
      const nextRuns: string[] = [];
      const nextAssets: string[] = [];
      for (const e of found) {
        edges.set(`${e.asset_id}|${e.run_id}|${e.direction}`, e);
        if (!seenRuns.has(e.run_id)) {
          seenRuns.add(e.run_id);
          nextRuns.push(e.run_id);
        }
        if (!seenAssets.has(e.asset_id)) {
          seenAssets.add(e.asset_id);
          nextAssets.push(e.asset_id);
        }
      }
      frontierRuns = nextRuns;
      frontierAssets = nextAssets;
    }
    return {
      root: `${root.type}:${root.id}`,
      nodes: [...(await this.runNodes(ctx, [...seenRuns])), ...(await this.assetNodes(ctx, [...seenAssets]))],
      edges: [...edges.values()].map((e) =>
        e.direction === 'input'
          ? { from: `asset:${e.asset_id}`, to: `run:${e.run_id}`, kind: 'input' }
          : { from: `run:${e.run_id}`, to: `asset:${e.asset_id}`, kind: 'output' },
      ),
    };
  }

  private async resolveStart(ctx: RequestContext, start: LineageStart): Promise<{ type: 'run' | 'asset'; id: string }> {
    if (start.run) return { type: 'run', id: (await this.runs.find(ctx, start.run)).id };
    const rows: Array<{ id: string }> = await ctx.em.query(
      `SELECT id FROM data_assets WHERE organization_id = $1 AND project_id = $2 AND kind = $3 AND name = $4
          AND ($5::text IS NULL OR version = $5) ORDER BY created_at DESC LIMIT 1`,
      [ctx.organization.id, ctx.currentProject.id, start.kind, start.name, start.version ?? null],
    );
    if (!rows[0]) throw notFound(start.kind ?? 'asset');
    return { type: 'asset', id: rows[0].id };
  }

  private async runNodes(ctx: RequestContext, ids: string[]) {
    if (!ids.length) return [];
    const rows: Array<{ id: string; number: number; name: string; state: string; project_id: string; slug: string }> = await ctx.em.query(
      `SELECT r.id, r.number, r.name, r.state, r.project_id, p.slug FROM runs r JOIN projects p ON p.id = r.project_id
        WHERE r.organization_id = $1 AND r.id = ANY($2::uuid[])`,
      [ctx.organization.id, ids],
    );
    return rows.map((r) => ({ id: `run:${r.id}`, type: 'run' as const, run: { id: r.id, key: runKey(r.slug, r.number), name: r.name, state: r.state, projectSlug: r.slug } }));
  }

  private async assetNodes(ctx: RequestContext, ids: string[]) {
    if (!ids.length) return [];
    const rows: AssetRecord[] = await ctx.em.query(`SELECT * FROM data_assets WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [ctx.organization.id, ids]);
    return rows.map((a) => ({ id: `asset:${a.id}`, type: a.kind, asset: toAssetDto(a) }));
  }
}
