import { Injectable } from '@nestjs/common';
import {
  fromWireFloat,
  toWireFloat,
  type CreateRunRequest,
  type Run,
  type RunDetail,
  type SeriesSummary,
  type UpdateRunRequest,
} from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { ForkAccess } from './fork-access';
import { flattenParams } from './params';
import { generateRunName } from './run-names';
import { toRunDto } from './run-row';
import { RunsRepository } from './runs.repository';
import { LineageRepository } from './lineage/lineage.repository';
import { TrashBin } from '../trash/trash-bin.service';
import { RunEvents } from './run-events';
import { SeriesRepository } from './series/series.repository';

export interface CreatedRun {
  run: Run;
  created: boolean;
}

@Injectable()
export class RunsService {
  constructor(
    private readonly forks: ForkAccess,
    private readonly runs: RunsRepository,
    private readonly lineage: LineageRepository,
    private readonly series: SeriesRepository,
    private readonly events: RunEvents,
    private readonly trash: TrashBin,
  ) {}

  /** Creates a run, or returns the existing one with the same external id (every worker of a job joins one run). */
  async create(ctx: RequestContext, input: CreateRunRequest): Promise<CreatedRun> {
    if (input.externalId) {
      const existing = await this.runs.findByExternalId(ctx, input.externalId);
      if (existing) return { run: toRunDto(ctx, existing), created: false };
    }
    // A fork's parent is a run of this project, or of another one the caller can read (404 otherwise, like a
    // missing one); its params are inherited.
    const parent = input.forkFrom === undefined ? null : await this.forks.parent(ctx, input.forkFrom);
    const number = await this.runs.nextNumber(ctx);
    const inserted = await this.runs.insert(ctx, {
      number,
      name: input.name ?? generateRunName(number),
      externalId: input.externalId ?? null,
      description: input.description ?? '',
      tags: [...new Set(input.tags ?? [])],
      params: { ...parent?.params, ...flattenParams(input.params ?? {}) },
      context: input.context ?? {},
      startedAt: input.startedAt ?? null,
      fork: parent ? { parentId: parent.id, step: input.forkStep! } : null,
    });
    if (inserted) {
      const run = toRunDto(ctx, inserted);
      this.announce(ctx, run, 'created');
      return { run, created: true };
    }
    // Another worker created it between our look-up and insert; the project row lock makes that rare.
    const winner = await this.runs.findByExternalId(ctx, input.externalId!);
    return { run: toRunDto(ctx, winner!), created: false };
  }

  async get(ctx: RequestContext, ref: string): Promise<RunDetail> {
    const row = await this.runs.find(ctx, ref, { withContext: true });
    const [series, io] = [await this.seriesSummaries(ctx, row.id), await this.lineage.assetsOfRun(ctx, row.id)];
    return { ...toRunDto(ctx, row), context: row.context ?? {}, series, inputs: io.inputs, outputs: io.outputs };
  }

  async update(ctx: RequestContext, ref: string, input: UpdateRunRequest): Promise<Run> {
    const row = await this.runs.find(ctx, ref, { lock: true });
    const set: Record<string, unknown> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.description !== undefined) set.description = input.description;
    if (input.notes !== undefined) set.notes = input.notes;
    if (input.tags !== undefined) set.tags = [...new Set(input.tags)];
    if (input.state !== undefined && input.state !== row.state) {
      set.state = input.state;
      set.ended_at = input.state === 'running' ? null : new Date();
      if (input.state === 'running') set.heartbeat_at = new Date();
    }
    if (!Object.keys(set).length) return toRunDto(ctx, row);
    const run = toRunDto(ctx, await this.runs.update(ctx, row.id, set));
    this.announce(ctx, run, 'updated');
    return run;
  }

  /** Moves the run to the project's trash; it reads as gone (404) until restored. */
  async delete(ctx: RequestContext, ref: string): Promise<void> {
    const row = await this.runs.find(ctx, ref);
    await this.trash.runs(ctx, [row.id], 'deleted');
    this.announce(ctx, toRunDto(ctx, row), 'deleted');
  }

  /** Lifecycle events for live subscribers, sent once the change is committed. */
  private announce(ctx: RequestContext, run: Run, change: 'created' | 'updated' | 'deleted'): void {
    const organizationId = ctx.organization.id;
    const projectId = ctx.currentProject.id;
    ctx.afterCommit(() =>
      this.events.emit('run', {
        organizationId,
        event: { runId: run.id, projectId, key: run.key, name: run.name, state: run.state, tags: run.tags, change },
      }),
    );
  }

  async heartbeat(ctx: RequestContext, ref: string): Promise<{ state: Run['state'] }> {
    const row = await this.runs.find(ctx, ref);
    await this.runs.touch(ctx, row.id);
    return { state: row.state === 'crashed' ? 'running' : row.state };
  }

  private async seriesSummaries(ctx: RequestContext, runId: string): Promise<SeriesSummary[]> {
    const rows = await this.series.summariesOfRun(ctx, runId);
    return rows.map((s) => ({
      name: s.name,
      kind: s.kind,
      count: Number(s.count),
      lastStep: s.last_step === null ? null : Number(s.last_step),
      last: wire(s.last_value),
      min: wire(s.min_value),
      max: wire(s.max_value),
      lastTime: s.last_time_ms,
    }));
  }
}

/** node-pg returns NaN and infinities of float8 as numbers; the wire spells them as strings. */
export function wire(value: number | string | null): ReturnType<typeof toWireFloat> | null {
  if (value === null) return null;
  return toWireFloat(typeof value === 'string' ? fromWireFloat(value as never) : value);
}
