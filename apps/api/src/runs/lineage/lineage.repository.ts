import { Injectable } from '@nestjs/common';
import type { AssetRef } from '@trackbase/contracts';
import type { RequestContext } from '../../common/context/request-context';
import { flattenParams } from '../params';

export interface AssetRecord {
  id: string;
  kind: 'dataset' | 'model';
  name: string;
  version: string;
  uri: string | null;
  digest: string | null;
  size_bytes: string | null;
  columns: unknown;
  preview: unknown;
  framework: string | null;
  model_class: string | null;
  hyperparameters: unknown;
  preprocessing: unknown;
  metadata: Record<string, unknown>;
  created_at: Date;
}

/** One edge of the `lineage_edges` view: a data node (`asset:<id>` or `artifact:<id>`) read or written by a run. */
export interface LineageEdge {
  node: string;
  run_id: string;
  direction: 'input' | 'output';
}

export interface LineageRunRow {
  id: string;
  number: number;
  name: string;
  state: string;
  slug: string;
}

export interface LineageArtifactVersionRow {
  id: string;
  name: string;
  kind: string;
  number: number;
  digest: string;
  size_bytes: string;
}

/** Without an explicit version, content identifies a dataset or model version (as MLflow's digest does). */
export function assetVersion(ref: AssetRef): string {
  if (ref.version) return ref.version;
  if (ref.digest) return ref.digest.replace(/^sha256:/, '').slice(0, 16);
  return 'unversioned';
}

export function toAssetDto(a: AssetRecord) {
  return {
    id: a.id,
    kind: a.kind,
    name: a.name,
    version: a.version,
    uri: a.uri,
    digest: a.digest,
    sizeBytes: a.size_bytes === null ? null : Number(a.size_bytes),
    columns: a.columns,
    preview: a.preview,
    framework: a.framework,
    modelClass: a.model_class,
    hyperparameters: a.hyperparameters,
    preprocessing: a.preprocessing,
    metadata: a.metadata,
    createdAt: a.created_at.toISOString(),
  };
}

/** Datasets and models as inputs and outputs of runs: the edges of the lineage graph. */
@Injectable()
export class LineageRepository {
  /** Records the assets (creating or completing their versions) and links them to the run. */
  async link(ctx: RequestContext, runId: string, direction: 'input' | 'output', refs: AssetRef[]): Promise<void> {
    for (const ref of refs) {
      const rows: Array<{ id: string }> = await ctx.em.query(
        `INSERT INTO data_assets AS a (organization_id, project_id, kind, name, version, uri, digest, size_bytes, columns, preview,
                                  framework, model_class, hyperparameters, preprocessing, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, coalesce($15::jsonb, '{}'::jsonb))
         ON CONFLICT (organization_id, project_id, kind, name, version) DO UPDATE SET
           uri = coalesce(EXCLUDED.uri, a.uri),
           digest = coalesce(EXCLUDED.digest, a.digest),
           size_bytes = coalesce(EXCLUDED.size_bytes, a.size_bytes),
           columns = coalesce(EXCLUDED.columns, a.columns),
           preview = coalesce(EXCLUDED.preview, a.preview),
           framework = coalesce(EXCLUDED.framework, a.framework),
           model_class = coalesce(EXCLUDED.model_class, a.model_class),
           hyperparameters = coalesce(EXCLUDED.hyperparameters, a.hyperparameters),
           preprocessing = coalesce(EXCLUDED.preprocessing, a.preprocessing),
           metadata = a.metadata || EXCLUDED.metadata
         RETURNING id`,
        [
          ctx.organization.id,
          ctx.currentProject.id,
          ref.kind,
          ref.name,
          assetVersion(ref),
          ref.uri ?? null,
          ref.digest ?? null,
          ref.sizeBytes ?? null,
          json(ref.columns),
          json(ref.preview),
          ref.framework ?? null,
          ref.modelClass ?? null,
          json(ref.hyperparameters && flattenParams(ref.hyperparameters)),
          json(ref.preprocessing),
          json(ref.metadata),
        ],
      );
      await ctx.em.query(
        `INSERT INTO run_assets (organization_id, run_id, asset_id, direction) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [ctx.organization.id, runId, rows[0]!.id, direction],
      );
    }
  }

  /** Fork edges between runs of the current project (a parent or fork in another project is left out of the graph). */
  async forkEdges(ctx: RequestContext, runIds: string[], up: boolean, down: boolean) {
    const rows: Array<{ parent_id: string; child_id: string; step: string }> = await ctx.em.query(
      `SELECT r.fork_parent_id AS parent_id, r.id AS child_id, r.fork_step AS step
         FROM runs r JOIN runs p ON p.id = r.fork_parent_id AND p.organization_id = $1 AND p.project_id = $5
        WHERE r.organization_id = $1 AND r.project_id = $5
          AND (($3 AND r.id = ANY($2::uuid[])) OR ($4 AND r.fork_parent_id = ANY($2::uuid[])))`,
      [ctx.organization.id, runIds, up, down, ctx.currentProject.id],
    );
    return rows.map((r) => ({ parentId: r.parent_id, childId: r.child_id, step: Number(r.step) }));
  }

  async assetsOfRun(ctx: RequestContext, runId: string) {
    const rows: Array<AssetRecord & { direction: 'input' | 'output' }> = await ctx.em.query(
      `SELECT a.*, ra.direction FROM run_assets ra JOIN data_assets a ON a.id = ra.asset_id
        WHERE ra.organization_id = $1 AND ra.run_id = $2 ORDER BY a.kind, a.name, a.version`,
      [ctx.organization.id, runId],
    );
    return {
      inputs: rows.filter((r) => r.direction === 'input').map(toAssetDto),
      outputs: rows.filter((r) => r.direction === 'output').map(toAssetDto),
    };
  }
  /**
   * One step of the graph walk: edges touching the frontier runs and data nodes. `upstream` follows a run's inputs
   * and a data node's producers; `downstream` a run's outputs and a data node's consumers.
   */
  edges(
    ctx: RequestContext,
    runIds: string[],
    nodes: string[],
    upstream: boolean,
    downstream: boolean,
    limit: number,
  ): Promise<LineageEdge[]> {
    // Only edges of the current project's runs: whatever links a row may hold, the walk never reaches a run the
    // reader was not authorised for through this project.
    return ctx.em.query(
      `SELECT e.node, e.run_id, e.direction FROM lineage_edges e
         JOIN runs r ON r.organization_id = $1 AND r.id = e.run_id AND r.project_id = $6
        WHERE e.organization_id = $1 AND (
            (e.run_id = ANY($2::uuid[]) AND (($4 AND e.direction = 'input') OR ($5 AND e.direction = 'output')))
            OR (e.node = ANY($3::text[]) AND (($4 AND e.direction = 'output') OR ($5 AND e.direction = 'input'))))
        ORDER BY r.number, e.node
        LIMIT $7`,
      [ctx.organization.id, runIds, nodes, upstream, downstream, ctx.currentProject.id, limit],
    );
  }

  /** The newest dataset or model of the current project with this kind and name (and version, when given). */
  async findAssetId(
    ctx: RequestContext,
    kind: string | undefined,
    name: string | undefined,
    version: string | null,
  ): Promise<string | null> {
    const assets: Array<{ id: string }> = await ctx.em.query(
      `SELECT id FROM data_assets WHERE organization_id = $1 AND project_id = $2 AND kind = $3 AND name = $4
          AND ($5::text IS NULL OR version = $5) ORDER BY created_at DESC LIMIT 1`,
      [ctx.organization.id, ctx.currentProject.id, kind, name, version],
    );
    return assets[0]?.id ?? null;
  }

  /** A committed artifact version of the current project: by number, by alias, or the latest when both are null. */
  async findArtifactVersionId(
    ctx: RequestContext,
    kind: string | undefined,
    name: string | undefined,
    number: number | null,
    alias: string | null,
  ): Promise<string | null> {
    const versions: Array<{ id: string }> = await ctx.em.query(
      `SELECT v.id FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
        WHERE a.organization_id = $1 AND a.project_id = $2 AND a.kind = $3 AND a.name = $4 AND v.state = 'committed'
          AND ($5::int IS NULL OR v.number = $5)
          AND ($6::text IS NULL OR v.id = (SELECT version_id FROM artifact_aliases al WHERE al.artifact_id = a.id AND al.alias = $6))
        ORDER BY v.number DESC LIMIT 1`,
      [ctx.organization.id, ctx.currentProject.id, kind, name, number, alias],
    );
    return versions[0]?.id ?? null;
  }

  runsByIds(ctx: RequestContext, ids: string[]): Promise<LineageRunRow[]> {
    return ctx.em.query(
      `SELECT r.id, r.number, r.name, r.state, p.slug FROM runs r JOIN projects p ON p.id = r.project_id
        WHERE r.organization_id = $1 AND r.project_id = $3 AND r.id = ANY($2::uuid[])`,
      [ctx.organization.id, ids, ctx.currentProject.id],
    );
  }

  assetsByIds(ctx: RequestContext, ids: string[]): Promise<AssetRecord[]> {
    return ctx.em.query(`SELECT * FROM data_assets WHERE organization_id = $1 AND project_id = $3 AND id = ANY($2::uuid[])`, [
      ctx.organization.id,
      ids,
      ctx.currentProject.id,
    ]);
  }

  artifactVersionsByIds(ctx: RequestContext, ids: string[]): Promise<LineageArtifactVersionRow[]> {
    return ctx.em.query(
      `SELECT v.id, a.name, a.kind, v.number, v.digest, v.size_bytes FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
        WHERE v.organization_id = $1 AND a.project_id = $3 AND v.id = ANY($2::uuid[])`,
      [ctx.organization.id, ids, ctx.currentProject.id],
    );
  }
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
