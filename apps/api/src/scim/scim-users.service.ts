import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { assertRequired, normaliseResource, type ScimObject } from './scim-attributes';
import type { ScimRequest } from './scim-access';
import { narrowing } from './scim-filter';
import { page, parseListFilter, type ScimListRequest, type ScimListResponse } from './scim-list';
import { ScimMembershipService } from './scim-membership.service';
import { applyPatch, type PatchOperation } from './scim-patch';
import { USER_SCHEMA } from './scim-schemas';
import { scimInvalidValue, scimNotFound, scimUniqueness } from './scim.errors';
import { ScimRepository, type ScimUserRow } from './scim.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** The email that identifies the person: the primary one, else the first (emails are required by our schema). */
function emailOf(attributes: ScimObject): string {
  const emails = (attributes.emails as ScimObject[] | undefined) ?? [];
  const chosen = emails.find((e) => e.primary === true && typeof e.value === 'string') ?? emails.find((e) => typeof e.value === 'string');
  const email = typeof chosen?.value === 'string' ? chosen.value.trim() : '';
  if (!EMAIL.test(email) || email.length > 320)
    throw scimInvalidValue('emails must hold a valid email address (the primary one identifies the person)');
  return email;
}

/** The name Trackbase shows: displayName, else the formatted or given and family names, else the userName. */
function displayNameOf(attributes: ScimObject): string {
  const name = (attributes.name as ScimObject | undefined) ?? {};
  const parts = [name.givenName, name.familyName].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  const candidates = [attributes.displayName, name.formatted, parts.join(' '), attributes.userName];
  const chosen = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '') ?? 'User';
  return chosen.trim().slice(0, 200);
}

/**
 * SCIM Users of an organization (RFC 7644 section 3): people the identity provider provisions. Creating one makes
 * the person (or links the account with that email, when it is already a member or of the organization's verified
 * single sign-on domains) a member with the roles their groups give; `active: false` and deletion take them out.
 */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly repository: ScimRepository,
    private readonly membership: ScimMembershipService,
    private readonly audit: AuditService,
  ) {}

  toResource(row: ScimUserRow, baseUrl: string): ScimObject {
    return {
      schemas: [USER_SCHEMA.id],
      id: row.user_id,
      ...(row.external_id !== null && { externalId: row.external_id }),
      ...row.attributes,
      userName: row.user_name,
      ...(row.groups.length && {
        groups: row.groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.displayName, type: 'direct' })),
      }),
      meta: {
        resourceType: 'User',
        created: row.created_at.toISOString(),
        lastModified: row.updated_at.toISOString(),
        location: `${baseUrl}/Users/${row.user_id}`,
      },
    };
  }

  async resources(request: ScimRequest, list: ScimListRequest): Promise<ScimObject[]> {
    const filter = parseListFilter(USER_SCHEMA, list);
    const narrow = narrowing(filter?.filter, 'userName');
    if (narrow.id !== undefined && !UUID.test(narrow.id)) return [];
    const rows = await this.repository.users(request.ctx.em, request.scope.organizationId, narrow);
    const resources = rows.map((row) => this.toResource(row, request.scope.baseUrl));
    return filter ? resources.filter((r) => filter.matches(r)) : resources;
  }

  async list(request: ScimRequest, list: ScimListRequest): Promise<ScimListResponse> {
    const resources = await this.resources(request, list);
    return page(
      resources.map((resource) => ({ schema: USER_SCHEMA, resource })),
      list,
    );
  }

  async get(request: ScimRequest, id: string): Promise<ScimObject> {
    return this.toResource(await this.row(request, id), request.scope.baseUrl);
  }

  async create(request: ScimRequest, body: ScimObject): Promise<ScimObject> {
    const { ctx, scope } = request;
    const attributes = this.checked(body);
    const userName = attributes.userName as string;
    const email = emailOf(attributes);
    await this.membership.lock(request);
    if (await this.repository.userNameTaken(ctx.em, scope.organizationId, userName, null))
      throw scimUniqueness(`a user with userName "${userName}" exists`);
    const person = await this.repository.personByEmail(ctx.em, email);
    let userId: string;
    let createdUser = false;
    if (person) {
      const linkable =
        person.kind === 'human' &&
        ((await this.repository.isMember(ctx.em, scope.organizationId, person.id)) ||
          (await this.repository.ssoDomains(ctx.em, scope.organizationId)).includes(email.split('@').pop()!.toLowerCase()));
      if (!linkable)
        throw scimUniqueness(
          `an account with the email ${email} exists outside this organization: invite it, or verify its domain for single sign-on`,
        );
      if ((await this.repository.knownUsers(ctx.em, scope.organizationId, [person.id])).size)
        throw scimUniqueness(`the person with the email ${email} is already provisioned here`);
      userId = person.id;
    } else {
      userId = await this.repository.createPerson(ctx.em, email, displayNameOf(attributes));
      createdUser = true;
    }
    const active = attributes.active !== false;
    await this.repository.insertUser(ctx.em, scope.organizationId, userId, {
      userName,
      externalId: (attributes.externalId as string | undefined) ?? null,
      active,
      attributes: this.stored(attributes),
      createdUser,
    });
    if (active) await this.membership.applyGroups(request, [userId]);
    await this.audit.record(
      ctx,
      { action: 'scim.user_created', targetType: 'user', targetId: userId, details: this.auditDetails(request, userName) },
      scope.organizationId,
    );
    return this.get(request, userId);
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
      ...row.attributes,
      userName: row.user_name,
      ...(row.external_id !== null && { externalId: row.external_id }),
    };
    const next = applyPatch(USER_SCHEMA, current, operations);
    assertRequired(USER_SCHEMA, next);
    return this.write(request, row, next);
  }

  async delete(request: ScimRequest, id: string): Promise<void> {
    const { ctx, scope } = request;
    await this.membership.lock(request);
    const row = await this.lockedRow(request, id);
    await this.membership.deprovision(request, row.user_id, 'scim_deleted');
    await this.repository.deleteUser(ctx.em, scope.organizationId, row.user_id);
    await this.audit.record(
      ctx,
      { action: 'scim.user_deleted', targetType: 'user', targetId: row.user_id, details: this.auditDetails(request, row.user_name) },
      scope.organizationId,
    );
  }

  private async write(request: ScimRequest, row: ScimUserRow, attributes: ScimObject): Promise<ScimObject> {
    const { ctx, scope } = request;
    const userName = attributes.userName as string;
    if (await this.repository.userNameTaken(ctx.em, scope.organizationId, userName, row.user_id))
      throw scimUniqueness(`a user with userName "${userName}" exists`);
    const email = emailOf(attributes);
    // Only a person this organization's provider created is renamed or re-addressed by it; others keep their account as it is.
    if (row.created_user && !(await this.repository.updatePerson(ctx.em, row.user_id, email, displayNameOf(attributes))))
      throw scimUniqueness(`another account has the email ${email}`);
    const active = attributes.active !== false;
    await this.repository.updateUser(ctx.em, scope.organizationId, row.user_id, {
      userName,
      externalId: (attributes.externalId as string | undefined) ?? null,
      active,
      attributes: this.stored(attributes),
    });
    if (active && !row.active) await this.membership.applyGroups(request, [row.user_id]);
    if (!active && row.active) await this.membership.deprovision(request, row.user_id, 'scim_deactivated');
    if (active !== row.active)
      await this.audit.record(
        ctx,
        {
          action: active ? 'scim.user_activated' : 'scim.user_deactivated',
          targetType: 'user',
          targetId: row.user_id,
          details: this.auditDetails(request, userName),
        },
        scope.organizationId,
      );
    return this.get(request, row.user_id);
  }

  private checked(body: ScimObject): ScimObject {
    const attributes = normaliseResource(USER_SCHEMA, body);
    assertRequired(USER_SCHEMA, attributes);
    if (!(attributes.userName as string).trim()) throw scimInvalidValue('userName must not be empty');
    return attributes;
  }

  /** What the attributes column keeps: everything but userName and externalId, which have columns of their own. */
  private stored(attributes: ScimObject): ScimObject {
    const { userName: _u, externalId: _e, ...rest } = attributes;
    return rest;
  }

  private auditDetails(request: ScimRequest, userName: string): Record<string, unknown> {
    return { userName, scimToken: request.scope.tokenId };
  }

  private async row(request: ScimRequest, id: string): Promise<ScimUserRow> {
    const row = UUID.test(id) ? (await this.repository.users(request.ctx.em, request.scope.organizationId, { id }))[0] : undefined;
    if (!row) throw scimNotFound(`user ${id}`);
    return row;
  }

  private async lockedRow(request: ScimRequest, id: string): Promise<ScimUserRow> {
    if (!UUID.test(id) || !(await this.repository.lockUser(request.ctx.em, request.scope.organizationId, id)))
      throw scimNotFound(`user ${id}`);
    return this.row(request, id);
  }
}
