import { Injectable } from '@nestjs/common';
import type { OrgRole } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import { wantedRoles } from './sso-provisioning';
import { SsoRepository, type StoredGroupMapping } from './sso.repository';

export interface GroupPolicy {
  mappings: StoredGroupMapping[];
  defaultOrgRole: OrgRole;
}

/**
 * The one path from an identity provider's groups to Trackbase roles: the OpenID Connect sign-in (groups from the
 * ID token) and SCIM provisioning (groups the provider pushed) both apply the organization's group mappings here.
 */
@Injectable()
export class GroupRolesService {
  constructor(private readonly repository: SsoRepository) {}

  /** The organization's group mappings and default role; without a single sign-on configuration, none and `member`. */
  async policy(em: EntityManager, organizationId: string): Promise<GroupPolicy> {
    const config = await this.repository.config(em, organizationId);
    return { mappings: config?.group_mappings ?? [], defaultOrgRole: config?.default_org_role ?? 'member' };
  }

  /**
   * Makes the user's organization and project roles what their groups give (creating the membership when there is
   * none). An owner made by hand stays one; an owner the groups made is not demoted when that would leave the
   * organization without one. Project roles given by hand are never touched. The caller holds the organization's
   * lock. Returns whether an existing membership changed (live sockets are then checked again).
   */
  async apply(em: EntityManager, organizationId: string, userId: string, groups: string[], policy: GroupPolicy): Promise<boolean> {
    const wanted = wantedRoles(groups, policy.mappings, policy.defaultOrgRole);
    const current = await this.repository.membership(em, organizationId, userId);
    let changed = false;
    if (!current) {
      await this.repository.setMembership(em, organizationId, userId, wanted.orgRole);
    } else if (current.role !== wanted.orgRole) {
      const keepOwner =
        current.role === 'owner' && (!current.sso_managed || (await this.repository.otherOwners(em, organizationId, userId)) === 0);
      if (!keepOwner) {
        await this.repository.setMembership(em, organizationId, userId, wanted.orgRole);
        changed = true;
      }
    }
    if (await this.repository.applyProjectRoles(em, organizationId, userId, wanted.projects)) changed = true;
    return changed;
  }

  /** Whether taking this user out of the organization would leave it without an owner. */
  async isLastOwner(em: EntityManager, organizationId: string, userId: string): Promise<boolean> {
    const current = await this.repository.membership(em, organizationId, userId);
    return current?.role === 'owner' && (await this.repository.otherOwners(em, organizationId, userId)) === 0;
  }
}
