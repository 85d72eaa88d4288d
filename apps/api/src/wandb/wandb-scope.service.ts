import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createProjectRequestSchema, OrgPermission, ProjectPermission, SLUG_PATTERN } from '@trackbase/contracts';
import { allows } from '../common/access/permissions';
import type { DataSource } from 'typeorm';
import { AccessService } from '../common/access/access.service';
import type { Principal } from '../common/context/principal';
import { RequestContext, type OrgScope, type ProjectScope } from '../common/context/request-context';
import { inRequestTransaction } from '../common/context/request-transaction';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ProjectsService } from '../projects/projects.service';
import { ApiKeysService } from '../users/api-keys.service';
import { WandbRepository } from './wandb.repository';
import { wandbForbidden, wandbNotFound, wandbUnauthenticated } from './wandb.errors';

/** What a W&B call needs in its project: to read it, to log runs, to log artifacts, or to manage them (aliases, deletion). */
export type WandbNeed = 'read' | 'runs' | 'artifacts' | 'manage';

const PERMISSION: Record<WandbNeed, ProjectPermission> = {
  read: ProjectPermission.Read,
  runs: ProjectPermission.RunsWrite,
  artifacts: ProjectPermission.ArtifactsWrite,
  manage: ProjectPermission.ArtifactsManage,
};

const REFUSED: Record<WandbNeed, string> = {
  read: 'reading',
  runs: 'logging to',
  artifacts: 'logging to',
  manage: 'managing the artifacts of',
};

export interface WandbCaller {
  principal: Principal;
  requestId: string;
  origin: string;
}

/**
 * The W&B routes name their organization (entity) and project in the GraphQL
 * variables or the body, not in the URL, so the global guard cannot resolve
 * them. This service does what the guard and the transaction interceptor do,
 * through the same AccessService: the API key from HTTP Basic `api:<key>`, the
 * organization and project against the caller's memberships (another
 * organization's answers exactly like a missing one), the role's permission,
 * and one tenant-scoped transaction whose after-commit hooks run once it is
 * durable.
 */
@Injectable()
export class WandbScope {
  private readonly logger = new Logger('WandbScope');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: WandbRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiKeys: ApiKeysService,
    private readonly access: AccessService,
    private readonly projects: ProjectsService,
  ) {}

  /** `Authorization: Basic base64(api:<key>)` (what the client sends), or `Bearer <key>`. */
  async authenticate(header: string | undefined): Promise<Principal> {
    const key = apiKeyFrom(header);
    const principal = key ? await this.apiKeys.authenticate(key) : null;
    if (!principal) throw wandbUnauthenticated();
    return principal;
  }

  origin(request: { protocol: string; get(name: string): string | undefined }): string {
    return this.config.PUBLIC_URL ?? `${request.protocol}://${request.get('host') ?? 'localhost'}`;
  }

  /** The organizations of the caller, oldest membership first: the first is the default entity. */
  /** The caller's organizations; a key limited to one organization sees only it. */
  async organizations(principal: Principal): Promise<Array<{ id: string; slug: string; name: string }>> {
    const only = principal.keyLimits?.organizationId;
    return (await this.repository.organizationsOf(principal.userId)).filter((o) => !only || o.id === only);
  }

  async org(caller: WandbCaller, entity: string | null | undefined): Promise<OrgScope> {
    const name = entity || (await this.organizations(caller.principal))[0]?.slug;
    const org = name ? await this.access.resolveOrg(caller.principal, name) : null;
    if (!org) throw wandbNotFound(`entity ${entity ?? ''}`.trim());
    return org;
  }

  /**
   * Runs `work` in the project's scope. With `create`, a missing project is
   * created when the caller's organization role may create projects (W&B
   * creates projects on first use).
   */
  async inProject<T>(
    caller: WandbCaller,
    entity: string | null | undefined,
    projectName: string | null | undefined,
    need: WandbNeed,
    work: (ctx: RequestContext) => Promise<T>,
    options: { create?: boolean } = {},
  ): Promise<T> {
    const org = await this.org(caller, entity);
    const slug = projectName || 'uncategorized';
    let project = await this.access.resolveProject(caller.principal, org, slug);
    if (!project && options.create) project = await this.createProject(caller, org, slug);
    if (!project) throw wandbNotFound(`project ${slug}`);
    if (!this.access.allows(PERMISSION[need], org, project)) throw wandbForbidden(`${REFUSED[need]} ${slug}`);
    return this.transaction(caller, org, project, work);
  }

  async inOrg<T>(caller: WandbCaller, org: OrgScope, work: (ctx: RequestContext) => Promise<T>): Promise<T> {
    return this.transaction(caller, org, null, work);
  }

  private async createProject(caller: WandbCaller, org: OrgScope, slug: string): Promise<ProjectScope | null> {
    if (!allows(OrgPermission.ProjectsCreate, org, null)) return null;
    if (!SLUG_PATTERN.test(slug)) throw wandbNotFound(`project ${slug} (project names must be slugs: lowercase letters, digits, -)`);
    try {
      await this.transaction(caller, org, null, (ctx) =>
        this.projects.create(ctx, createProjectRequestSchema.parse({ name: slug, slug, visibility: 'org' })),
      );
    } catch (error) {
      // Another process created it first: use theirs.
      if (!(error instanceof AppError && error.status === 409)) throw error;
    }
    return this.access.resolveProject(caller.principal, org, slug);
  }

  private async transaction<T>(
    caller: WandbCaller,
    org: OrgScope,
    project: ProjectScope | null,
    work: (ctx: RequestContext) => Promise<T>,
  ): Promise<T> {
    const ctx = new RequestContext(caller.requestId, caller.principal, org, project);
    ctx.origin = caller.origin;
    return inRequestTransaction(this.dataSource, ctx, this.logger, work);
  }
}

export function apiKeyFrom(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return null;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1).trim() || null : null;
}
