import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { assertRequired, normaliseResource, type ScimObject } from './scim-attributes';
import type { ScimRequest } from './scim-access';
import { narrowing } from './scim-filter';
import { page, parseListFilter, type ScimListRequest, type ScimListResponse } from './scim-list';
import { ScimMembershipService } from './scim-membership.service';
import { applyPatch, type PatchOperation } from './scim-patch';
import { GROUP_SCHEMA } from './scim-schemas';
import { scimInvalidValue, scimNotFound, scimUniqueness } from './scim.errors';
import { ScimRepository, type ScimGroupRow } from './scim.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Member {
  value: string;
  display: string | null;
}

/**
 * SCIM Groups of an organization: the identity provider's groups and their members. A group's displayName is
 * what the organization's group mappings (set with single sign-on) name, so membership changes re-apply the roles
 * of the people who joined or left, exactly as a sign-in through the provider does.
 */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly repository: ScimRepository,
    private readonly membership: ScimMembershipService,
    private readonly audit: AuditService,
  ) {}

  toResource(row: ScimGroupRow, baseUrl: string): ScimObject {
    return {
      schemas: [GROUP_SCHEMA.id],
      id: row.id,
      displayName: row.display_name,
      ...(row.external_id !== null && { externalId: row.external_id }),
      ...(row.members.length && {
        members: row.members.map((m) => ({
          value: m.value,
          $ref: `${baseUrl}/Users/${m.value}`,
          type: 'User',
          ...(m.display !== null && { display: m.display }),
        })),
      }),
      meta: {
        resourceType: 'Group',
        created: row.created_at.toISOString(),
        lastModified: row.updated_at.toISOString(),
        location: `${baseUrl}/Groups/${row.id}`,
      },
    };
  }

  async resources(request: ScimRequest, list: ScimListRequest): Promise<ScimObject[]> {
    const filter = parseListFilter(GROUP_SCHEMA, list);
    const narrow = narrowing(filter?.filter, 'displayName');
    if (narrow.id !== undefined && !UUID.test(narrow.id)) return [];
    // Identity providers list groups without their members (`excludedAttributes=members`) to keep large groups cheap.
    const withMembers =
      (!list.excludedAttributes?.some((a) => a.toLowerCase() === 'members') &&
        (!list.attributes || list.attributes.some((a) => a.toLowerCase().startsWith('members')))) ||
      /members/i.test(list.filter ?? '');
    const rows = await this.repository.groups(request.ctx.em, request.scope.organizationId, narrow, withMembers);
    const resources = rows.map((row) => this.toResource(row, request.scope.baseUrl));
    return filter ? resources.filter((r) => filter.matches(r)) : resources;
  }

  async list(request: ScimRequest, list: ScimListRequest): Promise<ScimListResponse> {
    const resources = await this.resources(request, list);
    return page(
      resources.map((resource) => ({ schema: GROUP_SCHEMA, resource })),
      list,
    );
  }

  async get(request: ScimRequest, id: string): Promise<ScimObject> {
    return this.toResource(await this.row(request, id), request.scope.baseUrl);
  }

  async create(request: ScimRequest, body: ScimObject): Promise<ScimObject> {
    const { ctx, scope } = request;
    const attributes = this.checked(body);
    const displayName = attributes.displayName as string;
    await this.membership.lock(request);
    if (await this.repository.groupNameTaken(ctx.em, scope.organizationId, displayName, null))
      throw scimUniqueness(`a group named "${displayName}" exists`);
    const members = await this.members(request, attributes);
    const id = await this.repository.insertGroup(
      ctx.em,
      scope.organizationId,
      displayName,
      (attributes.externalId as string | undefined) ?? null,
    );
    const changed = await this.repository.setGroupMembers(ctx.em, scope.organizationId, id, members);
    await this.membership.applyGroups(request, changed);
    await this.audit.record(
      ctx,
      {
        action: 'scim.group_created',
        targetType: 'scim_group',
        targetId: id,
        details: { displayName, members: members.length, scimToken: scope.tokenId },
      },
      scope.organizationId,
    );
    return this.get(request, id);
  }

  async replace(request: ScimRequest, id: string, body: ScimObject): Promise<ScimObject> {
    await this.membership.lock(request);
    const row = await this.lockedRow(request, id);
    return this.write(request, row, this.checked(body));
  }

  async patch(request: ScimRequest, id: string, operations: PatchOperation[]): Promise<ScimObject> {
    await this.membership.lock(request);
    const row = await this.lockedRow(request, id);
    const current: ScimObject = {
      displayName: row.display_name,
      ...(row.external_id !== null && { externalId: row.external_id }),
      ...(row.members.length && {
        members: row.members.map((m) => ({ value: m.value, ...(m.display !== null && { display: m.display }) })),
      }),
    };
    const next = applyPatch(GROUP_SCHEMA, current, operations);
    assertRequired(GROUP_SCHEMA, next);
    return this.write(request, row, next);
  }

  async delete(request: ScimRequest, id: string): Promise<void> {
    const { ctx, scope } = request;
    await this.membership.lock(request);
    const row = await this.lockedRow(request, id);
    const former = (await this.repository.deleteGroup(ctx.em, scope.organizationId, row.id)) ?? [];
    await this.membership.applyGroups(request, former);
    await this.audit.record(
      ctx,
      {
        action: 'scim.group_deleted',
        targetType: 'scim_group',
        targetId: row.id,
        details: { displayName: row.display_name, scimToken: scope.tokenId },
      },
      scope.organizationId,
    );
  }

  private async write(request: ScimRequest, row: ScimGroupRow, attributes: ScimObject): Promise<ScimObject> {
    const { ctx, scope } = request;
    const displayName = attributes.displayName as string;
    if (await this.repository.groupNameTaken(ctx.em, scope.organizationId, displayName, row.id))
      throw scimUniqueness(`a group named "${displayName}" exists`);
    const members = await this.members(request, attributes);
    await this.repository.updateGroup(
      ctx.em,
      scope.organizationId,
      row.id,
      displayName,
      (attributes.externalId as string | undefined) ?? null,
    );
    const changed = new Set(await this.repository.setGroupMembers(ctx.em, scope.organizationId, row.id, members));
    // A renamed group may match other mappings: every member's roles are applied again.
    if (displayName !== row.display_name) for (const m of members) changed.add(m.value);
    await this.membership.applyGroups(request, changed);
    if (changed.size || displayName !== row.display_name)
      await this.audit.record(
        ctx,
        {
          action: 'scim.group_updated',
          targetType: 'scim_group',
          targetId: row.id,
          details: { displayName, members: members.length, scimToken: scope.tokenId },
        },
        scope.organizationId,
      );
    return this.get(request, row.id);
  }

  /** The members named, each a SCIM user of this organization (anything else is `400 invalidValue`). */
  private async members(request: ScimRequest, attributes: ScimObject): Promise<Member[]> {
    const list = (attributes.members as ScimObject[] | undefined) ?? [];
    const members = new Map<string, Member>();
    for (const item of list) {
      const value = typeof item.value === 'string' ? item.value : '';
      if (!UUID.test(value)) throw scimInvalidValue(`members: "${value}" is not the id of a user of this organization`);
      if (item.type !== undefined && String(item.type).toLowerCase() !== 'user') throw scimInvalidValue('members can only be users');
      members.set(value.toLowerCase(), { value: value.toLowerCase(), display: typeof item.display === 'string' ? item.display : null });
    }
    const known = await this.repository.knownUsers(request.ctx.em, request.scope.organizationId, [...members.keys()]);
    const unknown = [...members.keys()].filter((id) => !known.has(id));
    if (unknown.length) throw scimInvalidValue(`members: no user ${unknown.join(', ')} in this organization`);
    return [...members.values()];
  }

  private checked(body: ScimObject): ScimObject {
    const attributes = normaliseResource(GROUP_SCHEMA, body);
    assertRequired(GROUP_SCHEMA, attributes);
    if (!(attributes.displayName as string).trim()) throw scimInvalidValue('displayName must not be empty');
    return attributes;
  }

  private async row(request: ScimRequest, id: string): Promise<ScimGroupRow> {
    const row = UUID.test(id) ? (await this.repository.groups(request.ctx.em, request.scope.organizationId, { id }))[0] : undefined;
    if (!row) throw scimNotFound(`group ${id}`);
    return row;
  }

  private async lockedRow(request: ScimRequest, id: string): Promise<ScimGroupRow> {
    if (!UUID.test(id) || !(await this.repository.lockGroup(request.ctx.em, request.scope.organizationId, id)))
      throw scimNotFound(`group ${id}`);
    return this.row(request, id);
  }
}
