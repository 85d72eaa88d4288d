import { Injectable } from '@nestjs/common';
import type { LineageGraph, LineageNode } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { notFound } from '../../common/errors/app-error';
import { runKey } from '../run-key';
import { RunsRepository } from '../runs.repository';
import { LineageRepository, toAssetDto, type LineageEdge } from './lineage.repository';

export type LineageDirection = 'upstream' | 'downstream' | 'both';

export interface LineageStart {
  run?: string;
  kind?: string;
  name?: string;
  version?: string;
}

const VERSION_LABEL = /^v(\d{1,9})$/;

/** A walk stops adding nodes past this many (nearest first), whatever its depth: a graph stays drawable. */
export const LINEAGE_MAX_NODES = 150;

/**
 * The graph data → run → data → run, over the `lineage_edges` view: datasets
 * and models that runs named in their batches, and stored artifact versions
 * with their producing and consuming runs. Upstream walks against the data
 * flow, downstream with it, breadth first to the given depth and at most
 * LINEAGE_MAX_NODES nodes (`truncated` says the walk stopped there). Only the
 * current project's runs and data are walked.
 */
@Injectable()
export class LineageService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly lineage: LineageRepository,
  ) {}

  async graph(ctx: RequestContext, start: LineageStart, direction: LineageDirection, depth: number): Promise<LineageGraph> {
    const root = await this.resolveStart(ctx, start);
    const seenRuns = new Set<string>(root.startsWith('run:') ? [root.slice(4)] : []);
    const seenData = new Set<string>(root.startsWith('run:') ? [] : [root]);
    const edges = new Map<string, LineageEdge>();
    const forks = new Map<string, { parentId: string; childId: string; step: number }>();
    let frontierRuns = [...seenRuns];
    let frontierData = [...seenData];

    let truncated = false;
    // An edge is kept with both its ends, and only while they fit under the node limit.
    const admit = (ends: Array<[Set<string>, string[], string]>): boolean => {
      const fresh = ends.filter(([seen, , id]) => !seen.has(id));
      if (new Set(fresh.map(([, , id]) => id)).size > LINEAGE_MAX_NODES - seenRuns.size - seenData.size) {
        truncated = true;
        return false;
      }
      for (const [seen, next, id] of fresh) {
        if (seen.has(id)) continue;
        seen.add(id);
        next.push(id);
      }
      return true;
    };

    for (let level = 0; level < depth && (frontierRuns.length || frontierData.length); level++) {
      // One more edge than the nodes that still fit shows that the walk was cut, without reading the rest.
      const found = await this.lineage.edges(
        ctx,
        frontierRuns,
        frontierData,
        direction !== 'downstream',
        direction !== 'upstream',
        2 * LINEAGE_MAX_NODES + 1,
      );
      if (found.length > 2 * LINEAGE_MAX_NODES) truncated = true;
      const nextRuns: string[] = [];
      const nextData: string[] = [];
      // A fork continues its parent: parent → fork edges, walked upstream to parents and downstream to forks.
      for (const f of await this.lineage.forkEdges(ctx, frontierRuns, direction !== 'downstream', direction !== 'upstream')) {
        if (
          admit([
            [seenRuns, nextRuns, f.parentId],
            [seenRuns, nextRuns, f.childId],
          ])
        )
          forks.set(`${f.parentId}|${f.childId}`, f);
      }
      for (const e of found) {
        if (
          admit([
            [seenRuns, nextRuns, e.run_id],
            [seenData, nextData, e.node],
          ])
        )
          edges.set(`${e.node}|${e.run_id}|${e.direction}`, e);
      }
      frontierRuns = nextRuns;
      frontierData = nextData;
    }
    const ids = (prefix: string) => [...seenData].filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
    const nodes = [
      ...(await this.runNodes(ctx, [...seenRuns])),
      ...(await this.assetNodes(ctx, ids('asset:'))),
      ...(await this.artifactNodes(ctx, ids('artifact:'))),
    ];
    // Data of another project (a hand-made link) reads as no node: its edges go with it.
    const present = new Set(nodes.map((n) => n.id));
    return {
      root,
      nodes,
      edges: [...edges.values()]
        .map((e): LineageGraph['edges'][number] =>
          e.direction === 'input'
            ? { from: e.node, to: `run:${e.run_id}`, kind: 'input' as const }
            : { from: `run:${e.run_id}`, to: e.node, kind: 'output' as const },
        )
        .concat(
          [...forks.values()].map((f) => ({ from: `run:${f.parentId}`, to: `run:${f.childId}`, kind: 'fork' as const, step: f.step })),
        )
        .filter((e) => present.has(e.from) && present.has(e.to)),
      ...(truncated ? { truncated: true } : {}),
    };
  }

  /** A run, a dataset or model a run named, or a stored artifact (`version` being `v3`, an alias, or latest when omitted). */
  private async resolveStart(ctx: RequestContext, start: LineageStart): Promise<string> {
    if (start.run) return `run:${(await this.runs.find(ctx, start.run)).id}`;
    const assetId = await this.lineage.findAssetId(ctx, start.kind, start.name, start.version ?? null);
    if (assetId) return `asset:${assetId}`;
    const label = start.version ? VERSION_LABEL.exec(start.version) : null;
    const versionId = await this.lineage.findArtifactVersionId(
      ctx,
      start.kind,
      start.name,
      label ? Number(label[1]) : null,
      start.version && !label ? start.version : null,
    );
    if (versionId) return `artifact:${versionId}`;
    throw notFound(start.kind ?? 'asset');
  }

  private async runNodes(ctx: RequestContext, ids: string[]): Promise<LineageNode[]> {
    if (!ids.length) return [];
    const rows = await this.lineage.runsByIds(ctx, ids);
    return rows.map((r) => ({
      id: `run:${r.id}`,
      type: 'run',
      run: { id: r.id, key: runKey(r.slug, r.number), name: r.name, state: r.state, projectSlug: r.slug },
    }));
  }

  private async assetNodes(ctx: RequestContext, ids: string[]): Promise<LineageNode[]> {
    if (!ids.length) return [];
    const rows = await this.lineage.assetsByIds(ctx, ids);
    return rows.map((a) => ({ id: `asset:${a.id}`, type: a.kind, asset: toAssetDto(a) }));
  }

  private async artifactNodes(ctx: RequestContext, ids: string[]): Promise<LineageNode[]> {
    if (!ids.length) return [];
    const rows = await this.lineage.artifactVersionsByIds(ctx, ids);
    return rows.map((v) => ({
      id: `artifact:${v.id}`,
      type: 'artifact',
      artifact: { id: v.id, name: v.name, kind: v.kind, version: `v${v.number}`, digest: v.digest, size: Number(v.size_bytes) },
    }));
  }
}
