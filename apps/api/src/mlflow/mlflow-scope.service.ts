import { Injectable } from '@nestjs/common';
import { createProjectRequestSchema, OrgPermission, type ProjectPermission } from '@trackbase/contracts';
import { projectRoleIn } from '../common/access/permissions';
import { RequestContext, type ProjectScope } from '../common/context/request-context';
import { ProjectsService } from '../projects/projects.service';
import { doesNotExist, permissionDenied } from './mlflow.errors';
import { DEFAULT_PROJECT_SLUG, MlflowRepository, type ProjectAccessRow, type RunScopeRow } from './mlflow.repository';

export const DEFAULT_EXPERIMENT_ID = '0';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A project resolved for an MLflow request: the project-scoped context the domain services take. */
export interface Scoped<T = ProjectAccessRow> {
  ctx: RequestContext;
  row: T;
}

/**
 * Resolves MLflow's experiment and run ids within the organization of the URL
 * and checks the route's permission on their project. Anything the caller
 * cannot read (another organization's, a private project's) answers
 * RESOURCE_DOES_NOT_EXIST exactly like a missing id.
 */
@Injectable()
export class MlflowScopeService {
  constructor(
    private readonly repo: MlflowRepository,
    private readonly projects: ProjectsService,
  ) {}

  /** The org-scoped context narrowed to one project, sharing the request's transaction. */
  narrow(ctx: RequestContext, project: ProjectScope): RequestContext {
    const scoped = new RequestContext(ctx.requestId, ctx.principal, ctx.org, project);
    scoped.origin = ctx.origin;
    scoped.bindTransaction(ctx.em);
    // Hooks registered on the narrowed context run with the request's.
    scoped.afterCommit = (hook) => ctx.afterCommit(hook);
    scoped.failAfterCommit = (error) => ctx.failAfterCommit(error);
    return scoped;
  }

  /** The project's scope for the caller, or null when they cannot see it. */
  scopeOf(ctx: RequestContext, row: ProjectAccessRow): ProjectScope | null {
    const org = ctx.organization;
    const role = projectRoleIn(org, row.id, row.member_role, row.visibility);
    return role
      ? { id: row.id, slug: row.slug, name: row.name, visibility: row.visibility, role, ...(org.limits && { limits: org.limits }) }
      : null;
  }

  check(ctx: RequestContext, row: ProjectAccessRow, permission: ProjectPermission, what: string): RequestContext {
    const scope = this.scopeOf(ctx, row);
    if (!scope) throw doesNotExist(what);
    if (!ctx.can(permission, scope)) throw permissionDenied();
    return this.narrow(ctx, scope);
  }

  async experiment(ctx: RequestContext, experimentId: string | undefined, permission: ProjectPermission): Promise<Scoped> {
    const id = experimentId ?? DEFAULT_EXPERIMENT_ID;
    const what = `No Experiment with id=${id} exists`;
    const row = id === DEFAULT_EXPERIMENT_ID ? await this.defaultProject(ctx) : UUID.test(id) ? await this.repo.projectById(ctx, id) : null;
    if (!row) throw doesNotExist(what);
    return { ctx: this.check(ctx, row, permission, what), row };
  }

  async run(ctx: RequestContext, runId: string | undefined, permission: ProjectPermission): Promise<Scoped<RunScopeRow>> {
    const what = `Run with id=${runId ?? ''} not found`;
    const row = runId && UUID.test(runId) ? await this.repo.runScope(ctx, runId.toLowerCase()) : null;
    if (!row) throw doesNotExist(what);
    return { ctx: this.check(ctx, row, permission, what), row };
  }

  /** The organization's default project (experiment "0"), created the first time anyone asks for it. */
  async defaultProject(ctx: RequestContext): Promise<ProjectAccessRow> {
    const found = await this.repo.projectBySlug(ctx, DEFAULT_PROJECT_SLUG);
    if (found) return found;
    // Creating it is a write: a read-only key, or one limited to other projects, finds no experiment 0.
    if (!ctx.can(OrgPermission.ProjectsCreate)) throw doesNotExist(`No Experiment with id=${DEFAULT_EXPERIMENT_ID} exists`);
    await this.projects.create(ctx, createProjectRequestSchema.parse({ name: 'Default', slug: DEFAULT_PROJECT_SLUG, visibility: 'org' }));
    return (await this.repo.projectBySlug(ctx, DEFAULT_PROJECT_SLUG))!;
  }

  experimentIdOf(row: { slug: string; id: string }): string {
    return row.slug === DEFAULT_PROJECT_SLUG ? DEFAULT_EXPERIMENT_ID : row.id;
  }
}
