import { z } from 'zod';

/**
 * The lineage graph around a run, dataset, model or artifact version. Node ids
 * are `run:<uuid>`, `asset:<uuid>` (a dataset or model a run named) and
 * `artifact:<uuid>` (a stored artifact version). Edges follow the data:
 * input edges go data → run, output edges run → data; fork edges go parent
 * run → forked run, with the fork step. Only the project's own runs and data
 * appear: a walk never crosses into another project or organization.
 */
export const lineageNodeSchema = z.object({
  id: z.string(),
  type: z.enum(['run', 'dataset', 'model', 'artifact']),
  run: z.object({ id: z.string(), key: z.string(), name: z.string(), state: z.string(), projectSlug: z.string() }).optional(),
  asset: z.object({ id: z.string(), kind: z.string(), name: z.string(), version: z.string() }).loose().optional(),
  artifact: z
    .object({ id: z.string(), name: z.string(), kind: z.string(), version: z.string(), digest: z.string(), size: z.number() })
    .optional(),
});
export type LineageNode = z.infer<typeof lineageNodeSchema>;

export const lineageGraphSchema = z.object({
  root: z.string(),
  nodes: z.array(lineageNodeSchema),
  edges: z.array(
    z.object({ from: z.string(), to: z.string(), kind: z.enum(['input', 'output', 'fork']), step: z.number().int().optional() }),
  ),
  /** True when the walk stopped at its node limit before its depth: the graph shown is the nearest part. */
  truncated: z.boolean().optional(),
});
export type LineageGraph = z.infer<typeof lineageGraphSchema>;
