import { Injectable } from '@nestjs/common';
import { AccessEvents } from '../common/access/access-events';
import { TokensService } from '../auth/tokens.service';
import { GroupRolesService } from '../sso/group-roles.service';
import { ApiKeysService } from '../users/api-keys.service';
import type { ScimRequest } from './scim-access';
import { scimMutability } from './scim.errors';
import { ScimRepository } from './scim.repository';

/**
 * What provisioning does to a person's access in the organization: their roles follow their SCIM groups through
 * the same group mappings as single sign-on, and deactivating or deleting them ends their membership, their
 * sessions and their keys limited to the organization, and the live sockets that relied on those, after commit.
 */
@Injectable()
export class ScimMembershipService {
  constructor(
    private readonly repository: ScimRepository,
    private readonly groupRoles: GroupRolesService,
    private readonly accessEvents: AccessEvents,
    private readonly tokens: TokensService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** Serialises provisioning writes in the organization (role changes check the last owner under this lock). */
  async lock({ ctx, scope }: ScimRequest): Promise<void> {
    await this.repository.lockOrganization(ctx.em, scope.organizationId);
  }

  /** Applies the group mappings to these (active) users; their sockets are checked again after commit. */
  async applyGroups(request: ScimRequest, userIds: Iterable<string>): Promise<void> {
    const { ctx, scope } = request;
    const ids = await this.repository.activeUsers(ctx.em, scope.organizationId, [...new Set(userIds)]);
    if (!ids.length) return;
    const policy = await this.groupRoles.policy(ctx.em, scope.organizationId);
    for (const userId of ids) {
      const groups = await this.repository.groupNamesOf(ctx.em, scope.organizationId, userId);
      if (await this.groupRoles.apply(ctx.em, scope.organizationId, userId, groups, policy)) this.accessChanged(request, userId);
    }
  }

  /**
   * Takes the person out of the organization (deactivated or deleted by the provider). Their sessions end: all of
   * them when this was their only organization, else those this organization's single sign-on started; their keys
   * limited to this organization are revoked. The last owner cannot be taken out this way.
   */
  async deprovision(request: ScimRequest, userId: string, reason: 'scim_deactivated' | 'scim_deleted'): Promise<void> {
    const { ctx, scope } = request;
    if (await this.groupRoles.isLastOwner(ctx.em, scope.organizationId, userId))
      throw scimMutability("the organization's last owner cannot be deactivated or deleted by provisioning: make another owner first");
    const wasMember = await this.repository.removeMembership(ctx.em, scope.organizationId, userId);
    const elsewhere = await this.repository.otherMemberships(ctx.em, scope.organizationId, userId);
    const sessions = await this.repository.endSessions(ctx.em, userId, reason, elsewhere ? scope.organizationId : null);
    const keys = await this.repository.revokeOrganizationKeys(ctx.em, scope.organizationId, userId);
    ctx.afterCommit(() => {
      for (const keyId of keys) this.apiKeys.revoked({ keyId });
      for (const sessionId of sessions) this.tokens.sessionEnded(sessionId);
    });
    if (wasMember) this.accessChanged(request, userId);
  }

  private accessChanged({ ctx, scope }: ScimRequest, userId: string): void {
    const organizationId = scope.organizationId;
    ctx.afterCommit(() => this.accessEvents.emit('changed', { organizationId, userId }));
  }
}
