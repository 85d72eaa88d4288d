import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { BatchService } from '../../runs/ingest/batch.service';
import type { RunRecord } from '../../runs/run-row';
import { RunsRepository } from '../../runs/runs.repository';
import { RunsService } from '../../runs/runs.service';
import { wandbBadRequest } from '../wandb.errors';
import { WandbRepository, type WandbRunState } from '../wandb.repository';
import { contextOf, parseJsonObject, unwrapConfig } from './wandb-config';

export interface UpsertBucketInput {
  id?: string | null;
  name?: string | null;
  groupName?: string | null;
  modelName?: string | null;
  entityName?: string | null;
  description?: string | null;
  displayName?: string | null;
  notes?: string | null;
  config?: string | null;
  commit?: string | null;
  host?: string | null;
  jobProgram?: string | null;
  jobRepo?: string | null;
  jobType?: string | null;
  state?: string | null;
  sweep?: string | null;
  tags?: string[] | null;
  summaryMetrics?: string | null;
}

export interface WandbRun {
  run: RunRecord;
  state: WandbRunState | null;
}

const RUN_ID = /^[A-Za-z0-9_-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A W&B run is a Trackbase run whose external id is the client's run id (the
 * 8 characters in `wandb/run-…-<id>`): `UpsertBucket` creates it on the first
 * call, and later calls (config changes, a resume, `wandb sync`) update it.
 */
@Injectable()
export class WandbRunsService {
  constructor(
    private readonly runs: RunsService,
    private readonly runRows: RunsRepository,
    private readonly batches: BatchService,
    private readonly repository: WandbRepository,
  ) {}

  async find(ctx: RequestContext, name: string): Promise<WandbRun | null> {
    const run = RUN_ID.test(name) ? await this.runRows.findByExternalId(ctx, name) : null;
    if (!run) return null;
    return { run, state: await this.repository.findState(ctx, run.id) };
  }

  /** A run of the context's project by its Trackbase id, with its W&B state (none for runs logged otherwise). */
  async byId(ctx: RequestContext, runId: string): Promise<WandbRun | null> {
    if (!UUID.test(runId)) return null;
    const run = await this.runRows.find(ctx, runId).catch(() => null);
    return run ? { run, state: await this.repository.findState(ctx, run.id) } : null;
  }

  /**
   * `edit`: the public API's `run.update()` or summary write, which changes what it names and leaves
   * the run's state alone (a client's UpsertBucket for a run it resumes or syncs runs it again).
   */
  async upsert(
    ctx: RequestContext,
    input: UpsertBucketInput,
    options: { edit?: boolean } = {},
  ): Promise<{ run: RunRecord; state: WandbRunState; inserted: boolean }> {
    const existing = await this.existing(ctx, input);
    const name = existing?.external_id ?? input.name ?? randomRunId();
    if (!RUN_ID.test(name)) throw wandbBadRequest('run names (ids) are 1-128 letters, digits, - and _');
    const config = input.config != null ? parseJsonObject(input.config) : null;
    const unwrapped = config ? unwrapConfig(config) : null;
    const context = contextOf({
      host: input.host,
      program: input.jobProgram,
      commit: input.commit,
      repo: input.jobRepo,
      groupName: input.groupName,
      jobType: input.jobType,
      sweep: input.sweep,
      internal: unwrapped?.internal,
    });
    const hasContext = Object.keys(context).length > 0 || unwrapped?.internal !== undefined;
    let inserted = false;
    let runId: string;
    if (!existing) {
      const created = await this.runs.create(ctx, {
        externalId: name,
        ...(input.displayName ? { name: input.displayName.slice(0, 250) } : {}),
        ...(input.description ? { description: input.description.slice(0, 10_000) } : {}),
        tags: (input.tags ?? []).map((t) => t.slice(0, 120)),
        params: unwrapped?.params ?? {},
        ...(hasContext ? { context } : {}),
      });
      inserted = created.created;
      runId = created.run.id;
      if (input.notes) await this.runs.update(ctx, runId, { notes: input.notes });
    } else {
      runId = existing.id;
      // The W&B state row first, as file_stream does: one lock order, no deadlock between the two.
      await this.repository.lockState(ctx, runId);
      await this.runs.update(ctx, runId, {
        ...(input.displayName ? { name: input.displayName.slice(0, 250) } : {}),
        ...(input.description != null ? { description: input.description.slice(0, 10_000) } : {}),
        ...(input.notes != null ? { notes: input.notes } : {}),
        ...(input.tags ? { tags: input.tags.map((t) => t.slice(0, 120)) } : {}),
        // A resumed or synced run runs again; one stopped in Trackbase stays stopped (the client
        // sends UpsertBucket during a run too, and must then be told to stop, not revived).
        ...(!options.edit && existing.state !== 'running' && existing.state !== 'aborted' ? { state: 'running' as const } : {}),
      });
    }
    const state = await this.repository.lockState(ctx, runId);
    if (!inserted && (unwrapped || hasContext)) {
      const seq = Number(state.batch_seq);
      // Later calls name only what changed (often just the config): keep the W&B fields sent before.
      const stored = (await this.runRows.find(ctx, runId, { withContext: true })).context?.wandb;
      const merged = context as Record<string, unknown>;
      if (stored && typeof stored === 'object') merged.wandb = { ...stored, ...((merged.wandb as object | undefined) ?? {}) };
      await this.batches.apply(ctx, runId, {
        streamId: 'wandb',
        seq,
        ...(unwrapped && Object.keys(unwrapped.params).length ? { params: unwrapped.params } : {}),
        ...(hasContext ? { context } : {}),
      });
      await this.repository.saveState(ctx, runId, { batch_seq: seq + 1 });
    }
    const summary = input.summaryMetrics != null ? parseJsonObject(input.summaryMetrics) : null;
    await this.repository.saveState(ctx, runId, { ...(config ? { config } : {}), ...(summary ? { summary } : {}) });
    const run = await this.runRows.find(ctx, runId);
    return { run, state: { ...state, ...(config ? { config } : {}), ...(summary ? { summary } : {}) }, inserted };
  }

  private async existing(ctx: RequestContext, input: UpsertBucketInput): Promise<RunRecord | null> {
    if (input.id && UUID.test(input.id)) {
      try {
        return await this.runRows.find(ctx, input.id);
      } catch {
        // Not a run of this project: fall back to the name.
      }
    }
    return input.name && RUN_ID.test(input.name) ? this.runRows.findByExternalId(ctx, input.name) : null;
  }
}

/** W&B run ids: 8 characters of lowercase letters and digits. */
export function randomRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (const byte of crypto.getRandomValues(new Uint8Array(8))) id += alphabet[byte % alphabet.length];
  return id;
}
