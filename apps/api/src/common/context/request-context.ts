import type { OrgRole, Permission, ProjectRole, ProjectVisibility } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import { allows } from '../access/permissions';
import type { KeyLimits, Principal } from './principal';

export interface OrgScope {
  id: string;
  slug: string;
  name: string;
  role: OrgRole;
  /** The organization requires single sign-on of its human members. */
  requireSso?: boolean;
  /** The organization requires two-factor of its human members and the caller has not enabled it. */
  twoFactorMissing?: boolean;
  /** The calling API key's scope, when the caller used one: allows() narrows the role by it. */
  limits?: KeyLimits;
}

export interface ProjectScope {
  id: string;
  slug: string;
  name: string;
  visibility: ProjectVisibility;
  role: ProjectRole;
  limits?: KeyLimits;
}

type AfterCommit = () => void | Promise<void>;

/**
 * Everything a service needs to know about the request, passed first to every
 * service method. `em` is the request's transaction: tenant-scoped when the
 * route names an organization, so row-level security applies to every query.
 */
export class RequestContext {
  private manager?: EntityManager;
  /** Scheme and host the caller used (or PUBLIC_URL), for links in responses. */
  origin = '';
  private readonly afterCommitHooks: AfterCommit[] = [];
  private errorAfterCommit?: Error;

  constructor(
    readonly requestId: string,
    readonly principal: Principal | null,
    readonly org: OrgScope | null = null,
    readonly project: ProjectScope | null = null,
  ) {}

  get em(): EntityManager {
    if (!this.manager) throw new Error('no transaction is bound to this request context');
    return this.manager;
  }

  bindTransaction(em: EntityManager): void {
    this.manager = em;
  }

  get user(): Principal {
    if (!this.principal) throw new Error('route is public but the service needs a principal');
    return this.principal;
  }

  get organization(): OrgScope {
    if (!this.org) throw new Error('route has no organization scope');
    return this.org;
  }

  get currentProject(): ProjectScope {
    if (!this.project) throw new Error('route has no project scope');
    return this.project;
  }

  /**
   * Whether the caller's roles in this request's organization and project grant `permission`: the one way a
   * service checks a role for a decision inside a route (the route's own permission is checked by the guard).
   * `project` asks about another project of the organization instead (a scope from AccessService.resolveProject;
   * null, a project the caller cannot see, grants nothing).
   */
  can(permission: Permission, project: ProjectScope | null = this.project): boolean {
    return allows(permission, this.org, project);
  }

  /** Side effects (broadcasts, notifications) that must only happen once the writes are durable. */
  afterCommit(hook: AfterCommit): void {
    this.afterCommitHooks.push(hook);
  }

  /**
   * Answers the request with `error` but keeps its writes: for a refusal that
   * must leave state behind, such as an upload whose checksum failed and was
   * reset so that the client can send it again.
   */
  failAfterCommit(error: Error): void {
    this.errorAfterCommit = error;
  }

  get pendingError(): Error | undefined {
    return this.errorAfterCommit;
  }

  async runAfterCommit(onError: (error: unknown) => void): Promise<void> {
    for (const hook of this.afterCommitHooks.splice(0)) {
      try {
        await hook();
      } catch (error) {
        onError(error);
      }
    }
  }
}
