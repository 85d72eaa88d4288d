import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { effectiveProjectRole, SLUG_PATTERN, type Permission } from '@trackbase/contracts';
import type { DataSource } from 'typeorm';
import type { Principal } from '../context/principal';
import { AccessRepository } from './access.repository';
import { allows } from './permissions';
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

  async resolveOrg(principal: Principal, slug: string): Promise<OrgScope | null> {
    if (!SLUG_PATTERN.test(slug)) return null;
    return (await this.access.orgMembership(this.dataSource, slug, principal.userId)) ?? null;
  }

  async resolveProject(principal: Principal, org: OrgScope, slug: string): Promise<ProjectScope | null> {
    if (!SLUG_PATTERN.test(slug)) return null;
    const row = await this.access.projectMembership(this.dataSource, org.id, slug, principal.userId);
    if (!row) return null;
    const role = effectiveProjectRole(org.role, row.member_role, row.visibility);
    if (!role) return null;
    return { id: row.id, slug: row.slug, name: row.name, visibility: row.visibility, role };
  }

  allows(permission: Permission, org: OrgScope | null, project: ProjectScope | null): boolean {
    return allows(permission, org, project);
  }
}
