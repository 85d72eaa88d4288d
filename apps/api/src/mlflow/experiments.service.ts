import { Injectable } from '@nestjs/common';
import { createProjectRequestSchema, OrgPermission, ProjectPermission, slugify } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { ProjectsService } from '../projects/projects.service';
import { alreadyExists, doesNotExist, invalidParameter, permissionDenied } from './mlflow.errors';
import { MlflowRepository, type ProjectAccessRow } from './mlflow.repository';
import { MlflowScopeService } from './mlflow-scope.service';
import { parseExperimentFilter } from './filter/experiment-filter';

const PROJECT_NAME_LENGTH = 120;

/** MLflow experiments as the organization's projects. */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly repo: MlflowRepository,
    private readonly scope: MlflowScopeService,
    private readonly projects: ProjectsService,
  ) {}

  toExperiment(row: ProjectAccessRow) {
    const experimentId = this.scope.experimentIdOf(row);
    return {
      experiment_id: experimentId,
      name: row.name,
      artifact_location: `mlflow-artifacts:/${experimentId}`,
      lifecycle_stage: row.lifecycle_stage ?? 'active',
      last_update_time: new Date(row.updated_at).getTime(),
      creation_time: new Date(row.created_at).getTime(),
      tags: Object.entries(row.tags ?? {}).map(([key, value]) => ({ key, value })),
    };
  }

  async get(ctx: RequestContext, experimentId: string) {
    const { row } = await this.scope.experiment(ctx, experimentId, ProjectPermission.Read);
    return { experiment: this.toExperiment(row) };
  }

  async getByName(ctx: RequestContext, name: string) {
    const rows = name === 'Default' ? [await this.scope.defaultProject(ctx)] : await this.repo.projectsByName(ctx, name);
    const row = rows.find((r) => this.scope.scopeOf(ctx, r));
    if (!row) throw doesNotExist(`Could not find experiment with name '${name}'`);
    return { experiment: this.toExperiment(row) };
  }

  async create(ctx: RequestContext, input: { name: string; tags?: Array<{ key: string; value?: string | null }> }) {
    if (!ctx.can(OrgPermission.ProjectsCreate)) throw permissionDenied();
    const name = input.name.trim();
    if (!name) throw invalidParameter('experiment name must not be empty');
    if (name.length > PROJECT_NAME_LENGTH) throw invalidParameter(`experiment name may have at most ${PROJECT_NAME_LENGTH} characters`);
    if ((await this.repo.projectsByName(ctx, name)).length || name === 'Default')
      throw alreadyExists(`Experiment '${name}' already exists.`);
    const base = slugify(name) || 'experiment';
    let project;
    for (let attempt = 0; !project; attempt++) {
      const slug = attempt === 0 ? base : `${base.slice(0, 40)}-${Math.random().toString(36).slice(2, 8)}`;
      try {
        project = await this.projects.create(ctx, createProjectRequestSchema.parse({ name, slug, visibility: 'org' }));
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 409 || attempt > 5) throw error;
      }
    }
    const tags = Object.fromEntries((input.tags ?? []).map((t) => [t.key, t.value ?? '']));
    await this.repo.setExperiment(ctx, project.id, { tags });
    return { experiment_id: project.id };
  }

  async update(ctx: RequestContext, experimentId: string, newName: string | undefined) {
    const { ctx: scoped } = await this.scope.experiment(ctx, experimentId, ProjectPermission.Update);
    if (newName) {
      if ((await this.repo.projectsByName(ctx, newName)).length) throw alreadyExists(`Experiment '${newName}' already exists.`);
      await this.projects.update(scoped, { name: newName });
    }
    return {};
  }

  async setLifecycle(ctx: RequestContext, experimentId: string, stage: 'active' | 'deleted') {
    if (experimentId === '0' && stage === 'deleted') throw invalidParameter('Cannot delete the default experiment');
    const { row } = await this.scope.experiment(ctx, experimentId, ProjectPermission.Delete);
    await this.repo.setExperiment(ctx, row.id, { lifecycleStage: stage });
    return {};
  }

  async setTag(ctx: RequestContext, experimentId: string, key: string, value: string) {
    const { row } = await this.scope.experiment(ctx, experimentId, ProjectPermission.Update);
    await this.repo.setExperiment(ctx, row.id, { tags: { [key]: value } });
    return {};
  }

  async deleteTag(ctx: RequestContext, experimentId: string, key: string) {
    const { row } = await this.scope.experiment(ctx, experimentId, ProjectPermission.Update);
    await this.repo.deleteExperimentTag(ctx, row.id, key);
    return {};
  }

  /** Experiments the caller can read, filtered (name, tags, times), ordered and paged by offset. */
  async search(
    ctx: RequestContext,
    q: { max_results: number; page_token?: string; filter?: string; order_by?: string[]; view_type: string },
  ) {
    await this.scope.defaultProject(ctx);
    const matches = parseExperimentFilter(q.filter ?? '');
    const experiments = (await this.repo.allProjects(ctx))
      .filter((r) => this.scope.scopeOf(ctx, r))
      .map((r) => this.toExperiment(r))
      .filter((e) => q.view_type === 'ALL' || (q.view_type === 'DELETED_ONLY') === (e.lifecycle_stage === 'deleted'))
      .filter(matches);
    const [field, direction] = (q.order_by?.[0] ?? 'last_update_time DESC').trim().split(/\s+/);
    const keyOf = (e: ReturnType<ExperimentsService['toExperiment']>) =>
      field === 'name'
        ? e.name
        : field === 'creation_time'
          ? e.creation_time
          : field === 'experiment_id'
            ? e.experiment_id
            : e.last_update_time;
    if (!['name', 'creation_time', 'last_update_time', 'experiment_id'].includes(field ?? ''))
      throw invalidParameter(`cannot order experiments by ${field}`);
    const sign = (direction ?? 'ASC').toUpperCase() === 'DESC' ? -1 : 1;
    experiments.sort((a, b) => (keyOf(a) < keyOf(b) ? -sign : keyOf(a) > keyOf(b) ? sign : a.experiment_id < b.experiment_id ? -1 : 1));
    const offset = decodeOffset(q.page_token);
    const page = experiments.slice(offset, offset + q.max_results);
    const next = offset + q.max_results < experiments.length ? encodeOffset(offset + q.max_results) : undefined;
    return { experiments: page, ...(next ? { next_page_token: next } : {}) };
  }
}

export function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

export function decodeOffset(token: string | undefined): number {
  if (!token) return 0;
  try {
    const offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw invalidParameter('page_token is not valid');
}
