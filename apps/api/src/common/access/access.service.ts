import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SLUG_PATTERN, type Permission } from '@trackbase/contracts';
import type { DataSource } from 'typeorm';
import type { Principal } from '../context/principal';
import { AccessRepository } from './access.repository';
import { allows, projectRoleIn } from './permissions';
import type { OrgScope, ProjectScope } from '../context/request-context';

/**
 * The one place that answers "who may do what where". Lookups run in system
 * scope with explicit membership filters: an organization or project the
 * principal cannot see is reported as absent, exactly like a missing one.
 */
@Injectable()
export class AccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessRepository,
  ) {}

  /**
   * The organization and the principal's role in it. An organization that requires single sign-on does not exist
   * for a member's password session or personal key (service accounts are unaffected); the HTTP guard asks with
   * `enforceSso: false` and refuses with `sso_required` itself, after its cache.
   */
  async resolveOrg(principal: Principal, slug: string, options: { enforceSso?: boolean } = {}): Promise<OrgScope | null> {
    if (!SLUG_PATTERN.test(slug)) return null;
    const row = await this.access.orgMembership(this.dataSource, slug, principal.userId);
    if (!row) return null;
    const org: OrgScope = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      role: row.role,
      requireSso: row.require_sso,
      twoFactorMissing: row.two_factor_missing,
    };
    if (options.enforceSso !== false && !this.ssoSatisfied(principal, org)) return null;
    const limits = principal.keyLimits;
    if (!limits) return org;
    // A key limited to another organization does not see this one at all, like a non-member.
    if (limits.organizationId && limits.organizationId !== org.id) return null;
    return { ...org, limits };
  }

  /** Whether the principal's way of signing in is one the organization accepts. */
  ssoSatisfied(principal: Principal, org: OrgScope): boolean {
    if (!org.requireSso || principal.kind !== 'human') return true;
    return principal.via === 'session' && principal.ssoOrganizationId === org.id;
  }

  async resolveProject(principal: Principal, org: OrgScope, slug: string): Promise<ProjectScope | null> {
    if (!SLUG_PATTERN.test(slug)) return null;
    const row = await this.access.projectMembership(this.dataSource, org.id, slug, principal.userId);
    if (!row) return null;
    const role = projectRoleIn(org, row.id, row.member_role, row.visibility);
    if (!role) return null;
    return { id: row.id, slug: row.slug, name: row.name, visibility: row.visibility, role, ...(org.limits && { limits: org.limits }) };
  }

  allows(permission: Permission, org: OrgScope | null, project: ProjectScope | null): boolean {
    return allows(permission, org, project);
  }
}
