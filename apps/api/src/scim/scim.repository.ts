import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

type Db = Pick<EntityManager, 'query'>;

export interface ScimTokenRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  created_by: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** A token found by its public prefix, with its organization; the hash is compared by the caller. */
export interface ScimTokenLookupRow {
  id: string;
  organization_id: string;
  slug: string;
  token_hash: Buffer;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface ScimUserRow {
  user_id: string;
  user_name: string;
  external_id: string | null;
  active: boolean;
  attributes: Record<string, unknown>;
  created_user: boolean;
  created_at: Date;
  updated_at: Date;
  groups: Array<{ id: string; displayName: string }>;
}

export interface ScimGroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
  members: Array<{ value: string; display: string | null }>;
}

/** What narrows a list before the filter is evaluated: the indexed equalities an identity provider looks up by. */
export interface ScimNarrowing {
  id?: string;
  name?: string;
  externalId?: string;
}

export interface PersonRow {
  id: string;
  kind: 'human' | 'service';
  has_password: boolean;
}

/**
 * The SQL of SCIM provisioning. A SCIM request names its organization by its token, before any principal exists,
 * so it runs in system scope and every query here filters by the organization explicitly.
 */
@Injectable()
export class ScimRepository {
  // Tokens ---------------------------------------------------------------------------------------------------------

  async createToken(db: Db, organizationId: string, name: string, prefix: string, hash: Buffer, createdBy: string): Promise<ScimTokenRow> {
    const rows = await queryRows<ScimTokenRow>(
      db,
      `INSERT INTO scim_tokens (organization_id, name, prefix, token_hash, created_by) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, name, prefix, created_at, created_by, last_used_at, revoked_at`,
      [organizationId, name, prefix, hash, createdBy],
    );
    return rows[0]!;
  }

  listTokens(db: Db, organizationId: string): Promise<ScimTokenRow[]> {
    return queryRows<ScimTokenRow>(
      db,
      `SELECT id, name, prefix, created_at, created_by, last_used_at, revoked_at FROM scim_tokens
        WHERE organization_id = $1 ORDER BY created_at DESC, id`,
      [organizationId],
    );
  }

  /** Marks the token revoked; `undefined` when the organization has no such token, `false` when it was already revoked. */
  async revokeToken(db: Db, organizationId: string, id: string): Promise<boolean | undefined> {
    const found = await queryRows<{ revoked_at: Date | null }>(
      db,
      `SELECT revoked_at FROM scim_tokens WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, id],
    );
    if (!found[0]) return undefined;
    if (found[0].revoked_at) return false;
    await db.query(`UPDATE scim_tokens SET revoked_at = now() WHERE id = $1`, [id]);
    return true;
  }

  async tokenByPrefix(db: Db, prefix: string): Promise<ScimTokenLookupRow | undefined> {
    const rows = await queryRows<ScimTokenLookupRow>(
      db,
      `SELECT t.id, t.organization_id, o.slug, t.token_hash, t.revoked_at, t.last_used_at
         FROM scim_tokens t JOIN organizations o ON o.id = t.organization_id WHERE t.prefix = $1`,
      [prefix],
    );
    return rows[0];
  }

  async touchToken(db: Db, id: string): Promise<void> {
    await db.query(`UPDATE scim_tokens SET last_used_at = now() WHERE id = $1`, [id]);
  }

  // Users ----------------------------------------------------------------------------------------------------------

  users(db: Db, organizationId: string, narrow: ScimNarrowing = {}): Promise<ScimUserRow[]> {
    return queryRows<ScimUserRow>(
      db,
      `SELECT su.user_id, su.user_name, su.external_id, su.active, su.attributes, su.created_user, su.created_at, su.updated_at,
              coalesce((SELECT json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY g.display_name, g.id)
                          FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id
                         WHERE gm.organization_id = su.organization_id AND gm.user_id = su.user_id), '[]') AS groups
         FROM scim_users su
        WHERE su.organization_id = $1 AND ($2::uuid IS NULL OR su.user_id = $2)
          AND ($3::text IS NULL OR lower(su.user_name) = lower($3)) AND ($4::text IS NULL OR su.external_id = $4)
        ORDER BY su.created_at, su.user_id`,
      [organizationId, narrow.id ?? null, narrow.name ?? null, narrow.externalId ?? null],
    );
  }

  async userNameTaken(db: Db, organizationId: string, userName: string, exceptUserId: string | null): Promise<boolean> {
    const rows = await queryRows<unknown>(
      db,
      `SELECT 1 FROM scim_users WHERE organization_id = $1 AND lower(user_name) = lower($2) AND ($3::uuid IS NULL OR user_id <> $3)`,
      [organizationId, userName, exceptUserId],
    );
    return rows.length > 0;
  }

  async insertUser(
    db: Db,
    organizationId: string,
    userId: string,
    values: { userName: string; externalId: string | null; active: boolean; attributes: object; createdUser: boolean },
  ): Promise<void> {
    await db.query(
      `INSERT INTO scim_users (organization_id, user_id, user_name, external_id, active, attributes, created_user)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
      [organizationId, userId, values.userName, values.externalId, values.active, JSON.stringify(values.attributes), values.createdUser],
    );
  }

  async updateUser(
    db: Db,
    organizationId: string,
    userId: string,
    values: { userName: string; externalId: string | null; active: boolean; attributes: object },
  ): Promise<void> {
    await db.query(
      `UPDATE scim_users SET user_name = $3, external_id = $4, active = $5, attributes = $6::jsonb, updated_at = now()
        WHERE organization_id = $1 AND user_id = $2`,
      [organizationId, userId, values.userName, values.externalId, values.active, JSON.stringify(values.attributes)],
    );
  }

  async deleteUser(db: Db, organizationId: string, userId: string): Promise<boolean> {
    const rows = await queryRows<unknown>(db, `DELETE FROM scim_users WHERE organization_id = $1 AND user_id = $2 RETURNING user_id`, [
      organizationId,
      userId,
    ]);
    return rows.length > 0;
  }

  /** Serialises changes to one user's SCIM record (a PATCH reads, changes and writes it back). */
  async lockUser(db: Db, organizationId: string, userId: string): Promise<boolean> {
    const rows = await queryRows<unknown>(db, `SELECT 1 FROM scim_users WHERE organization_id = $1 AND user_id = $2 FOR UPDATE`, [
      organizationId,
      userId,
    ]);
    return rows.length > 0;
  }

  // People behind SCIM users -----------------------------------------------------------------------------------------

  async personByEmail(db: Db, email: string): Promise<PersonRow | undefined> {
    const rows = await queryRows<PersonRow>(
      db,
      `SELECT id, kind, password_hash IS NOT NULL AS has_password FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return rows[0];
  }

  async createPerson(db: Db, email: string, name: string): Promise<string> {
    const rows = await queryRows<{ id: string }>(db, `INSERT INTO users (email, name, kind) VALUES ($1, $2, 'human') RETURNING id`, [
      email,
      name,
    ]);
    return rows[0]!.id;
  }

  /** Renames (and re-addresses) a person this organization's provider created; false when the email belongs to someone else. */
  async updatePerson(db: Db, userId: string, email: string, name: string): Promise<boolean> {
    const taken = await queryRows<unknown>(db, `SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2`, [email, userId]);
    if (taken.length) return false;
    await db.query(`UPDATE users SET email = $2, name = $3 WHERE id = $1 AND deleted_at IS NULL`, [userId, email, name]);
    return true;
  }

  async isMember(db: Db, organizationId: string, userId: string): Promise<boolean> {
    const rows = await queryRows<unknown>(db, `SELECT 1 FROM org_members WHERE organization_id = $1 AND user_id = $2`, [
      organizationId,
      userId,
    ]);
    return rows.length > 0;
  }

  /** The organization's verified email domains (a claim not yet proven by DNS does not let it link accounts). */
  async ssoDomains(db: Db, organizationId: string): Promise<string[]> {
    const rows = await queryRows<{ domain: string }>(
      db,
      `SELECT domain FROM org_sso_domains WHERE organization_id = $1 AND verified_at IS NOT NULL`,
      [organizationId],
    );
    return rows.map((r) => r.domain);
  }

  /** Takes the person out of the organization: their membership and every project role there. */
  async removeMembership(db: Db, organizationId: string, userId: string): Promise<boolean> {
    await db.query(`DELETE FROM project_members WHERE organization_id = $1 AND user_id = $2`, [organizationId, userId]);
    const rows = await queryRows<unknown>(db, `DELETE FROM org_members WHERE organization_id = $1 AND user_id = $2 RETURNING user_id`, [
      organizationId,
      userId,
    ]);
    return rows.length > 0;
  }

  async otherMemberships(db: Db, organizationId: string, userId: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      db,
      `SELECT count(*)::int AS n FROM org_members WHERE user_id = $1 AND organization_id <> $2`,
      [userId, organizationId],
    );
    return rows[0]!.n;
  }

  /**
   * Ends the person's live sessions: all of them, or (`organizationId`) those this organization's single sign-on
   * started. Returns the ids ended.
   */
  async endSessions(db: Db, userId: string, reason: string, organizationId: string | null): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR sso_organization_id = $3) RETURNING id`,
      [userId, reason, organizationId],
    );
    return rows.map((r) => r.id);
  }

  /** Revokes the person's keys limited to this organization; returns their ids. */
  async revokeOrganizationKeys(db: Db, organizationId: string, userId: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND organization_id = $2 AND revoked_at IS NULL RETURNING id`,
      [userId, organizationId],
    );
    return rows.map((r) => r.id);
  }

  // Groups ---------------------------------------------------------------------------------------------------------

  groups(db: Db, organizationId: string, narrow: ScimNarrowing = {}, withMembers = true): Promise<ScimGroupRow[]> {
    return queryRows<ScimGroupRow>(
      db,
      `SELECT g.id, g.display_name, g.external_id, g.created_at, g.updated_at,
              CASE WHEN $5 THEN coalesce((SELECT json_agg(json_build_object('value', gm.user_id, 'display', gm.display) ORDER BY gm.position, gm.user_id)
                                            FROM scim_group_members gm WHERE gm.group_id = g.id), '[]') ELSE '[]' END AS members
         FROM scim_groups g
        WHERE g.organization_id = $1 AND ($2::uuid IS NULL OR g.id = $2)
          AND ($3::text IS NULL OR lower(g.display_name) = lower($3)) AND ($4::text IS NULL OR g.external_id = $4)
        ORDER BY g.created_at, g.id`,
      [organizationId, narrow.id ?? null, narrow.name ?? null, narrow.externalId ?? null, withMembers],
    );
  }

  async groupNameTaken(db: Db, organizationId: string, name: string, exceptGroupId: string | null): Promise<boolean> {
    const rows = await queryRows<unknown>(
      db,
      `SELECT 1 FROM scim_groups WHERE organization_id = $1 AND lower(display_name) = lower($2) AND ($3::uuid IS NULL OR id <> $3)`,
      [organizationId, name, exceptGroupId],
    );
    return rows.length > 0;
  }

  async insertGroup(db: Db, organizationId: string, displayName: string, externalId: string | null): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      db,
      `INSERT INTO scim_groups (organization_id, display_name, external_id) VALUES ($1, $2, $3) RETURNING id`,
      [organizationId, displayName, externalId],
    );
    return rows[0]!.id;
  }

  async updateGroup(db: Db, organizationId: string, groupId: string, displayName: string, externalId: string | null): Promise<void> {
    await db.query(
      `UPDATE scim_groups SET display_name = $3, external_id = $4, updated_at = now() WHERE organization_id = $1 AND id = $2`,
      [organizationId, groupId, displayName, externalId],
    );
  }

  async lockGroup(db: Db, organizationId: string, groupId: string): Promise<boolean> {
    const rows = await queryRows<unknown>(db, `SELECT 1 FROM scim_groups WHERE organization_id = $1 AND id = $2 FOR UPDATE`, [
      organizationId,
      groupId,
    ]);
    return rows.length > 0;
  }

  async deleteGroup(db: Db, organizationId: string, groupId: string): Promise<string[] | undefined> {
    const members = await queryRows<{ user_id: string }>(
      db,
      `SELECT user_id FROM scim_group_members WHERE organization_id = $1 AND group_id = $2`,
      [organizationId, groupId],
    );
    const rows = await queryRows<unknown>(db, `DELETE FROM scim_groups WHERE organization_id = $1 AND id = $2 RETURNING id`, [
      organizationId,
      groupId,
    ]);
    return rows.length ? members.map((m) => m.user_id) : undefined;
  }

  /** Which of these ids are SCIM users of the organization. */
  async knownUsers(db: Db, organizationId: string, userIds: string[]): Promise<Set<string>> {
    const rows = await queryRows<{ user_id: string }>(
      db,
      `SELECT user_id FROM scim_users WHERE organization_id = $1 AND user_id = ANY($2::uuid[])`,
      [organizationId, userIds],
    );
    return new Set(rows.map((r) => r.user_id));
  }

  /** Makes the group's members exactly these (in this order); returns the users whose membership changed. */
  async setGroupMembers(
    db: Db,
    organizationId: string,
    groupId: string,
    members: Array<{ value: string; display: string | null }>,
  ): Promise<string[]> {
    const ids = members.map((m) => m.value);
    const removed = await queryRows<{ user_id: string }>(
      db,
      `DELETE FROM scim_group_members WHERE group_id = $1 AND NOT (user_id = ANY($2::uuid[])) RETURNING user_id`,
      [groupId, ids],
    );
    const added = ids.length
      ? await queryRows<{ user_id: string; inserted: boolean }>(
          db,
          `INSERT INTO scim_group_members (organization_id, group_id, user_id, display, position)
           SELECT $1, $2, m.user_id, m.display, m.position FROM unnest($3::uuid[], $4::text[], $5::int[]) AS m(user_id, display, position)
           ON CONFLICT (organization_id, group_id, user_id) DO UPDATE SET display = EXCLUDED.display, position = EXCLUDED.position
           RETURNING user_id, (xmax = 0) AS inserted`,
          [organizationId, groupId, ids, members.map((m) => m.display), members.map((_, i) => i)],
        )
      : [];
    return [...removed.map((r) => r.user_id), ...added.filter((r) => r.inserted).map((r) => r.user_id)];
  }

  /** The display names of the groups the user is in: what the group mappings are matched against. */
  async groupNamesOf(db: Db, organizationId: string, userId: string): Promise<string[]> {
    const rows = await queryRows<{ display_name: string }>(
      db,
      `SELECT g.display_name FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id
        WHERE gm.organization_id = $1 AND gm.user_id = $2`,
      [organizationId, userId],
    );
    return rows.map((r) => r.display_name);
  }

  async activeUsers(db: Db, organizationId: string, userIds: string[]): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      db,
      `SELECT user_id FROM scim_users WHERE organization_id = $1 AND user_id = ANY($2::uuid[]) AND active`,
      [organizationId, userIds],
    );
    return rows.map((r) => r.user_id);
  }

  async lockOrganization(db: Db, organizationId: string): Promise<void> {
    await db.query(`SELECT id FROM organizations WHERE id = $1 FOR UPDATE`, [organizationId]);
  }
}
