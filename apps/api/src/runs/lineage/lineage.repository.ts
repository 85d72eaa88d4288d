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
         ON CONFLICT (project_id, kind, name, version) DO UPDATE SET
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

  /** Fork edges touching the runs: to their parents when `up`, to their forks when `down`. */
  async forkEdges(ctx: RequestContext, runIds: string[], up: boolean, down: boolean) {
    const rows: Array<{ parent_id: string; child_id: string; step: string }> = await ctx.em.query(
      `SELECT r.fork_parent_id AS parent_id, r.id AS child_id, r.fork_step AS step FROM runs r
        WHERE r.organization_id = $1 AND r.fork_parent_id IS NOT NULL
          AND (($3 AND r.id = ANY($2::uuid[])) OR ($4 AND r.fork_parent_id = ANY($2::uuid[])))`,
      [ctx.organization.id, runIds, up, down],
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
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
