import { Injectable } from '@nestjs/common';
import type { OrgRole, ProjectRole } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

type Db = Pick<EntityManager, 'query'>;

/** A group mapping as stored: projects by id, so renaming a project keeps its mapping. */
export interface StoredGroupMapping {
  group: string;
  orgRole?: OrgRole;
  projects: Array<{ projectId: string; role: ProjectRole }>;
}

export interface SsoConfigRow {
  organization_id: string;
  slug: string;
  protocol: 'oidc' | 'saml';
  issuer: string | null;
  client_id: string | null;
  client_secret_encrypted: string | null;
  saml_idp_entity_id: string | null;
  saml_sso_url: string | null;
  saml_idp_certs: string[] | null;
  saml_email_attribute: string | null;
  saml_name_attribute: string | null;
  saml_groups_attribute: string | null;
  scopes: string[];
  groups_claim: string;
  default_org_role: 'admin' | 'member';
  group_mappings: StoredGroupMapping[];
  require_sso: boolean;
  enabled: boolean;
  updated_at: Date;
  /** The verified domains: only they route sign-ins and may sign in. */
  email_domains: string[];
}

export interface SsoDomainRow {
  domain: string;
  verification_token: string;
  verified_at: Date | null;
}

export interface SsoSignInRow {
  organization_id: string;
  browser_hash: Buffer;
  nonce: string | null;
  code_verifier: string | null;
  saml_request_id: string | null;
  return_to: string;
  expires_at: Date;
}

const CONFIG_COLUMNS = `c.organization_id, o.slug, c.protocol, c.issuer, c.client_id, c.client_secret_encrypted,
       c.saml_idp_entity_id, c.saml_sso_url, c.saml_idp_certs, c.saml_email_attribute, c.saml_name_attribute, c.saml_groups_attribute,
       c.scopes, c.groups_claim, c.default_org_role, c.group_mappings, c.require_sso, c.enabled, c.updated_at,
       coalesce((SELECT array_agg(d.domain ORDER BY d.domain) FROM org_sso_domains d
                  WHERE d.organization_id = c.organization_id AND d.verified_at IS NOT NULL), '{}') AS email_domains`;

/**
 * The SQL of single sign-on. Configuration reads and writes run in the organization's tenant scope; the sign-in
 * path (discovery by domain, the sign-in attempts, just-in-time provisioning) runs before any tenant is known, in
 * system scope, with explicit organization filters.
 */
@Injectable()
export class SsoRepository {
  async config(db: Db, organizationId: string): Promise<SsoConfigRow | undefined> {
    const rows = await queryRows<SsoConfigRow>(
      db,
      `SELECT ${CONFIG_COLUMNS} FROM org_sso_configs c JOIN organizations o ON o.id = c.organization_id WHERE c.organization_id = $1`,
      [organizationId],
    );
    return rows[0];
  }

  /** System scope: the enabled configuration of the organization with this slug. */
  async enabledConfigBySlug(db: Db, slug: string): Promise<SsoConfigRow | undefined> {
    const rows = await queryRows<SsoConfigRow>(
      db,
      `SELECT ${CONFIG_COLUMNS} FROM org_sso_configs c JOIN organizations o ON o.id = c.organization_id WHERE o.slug = $1 AND c.enabled`,
      [slug],
    );
    return rows[0];
  }

  /** System scope: the organization whose enabled provider serves this email domain (verified by it). */
  async orgSlugForDomain(db: Db, domain: string): Promise<string | undefined> {
    const rows = await queryRows<{ slug: string }>(
      db,
      `SELECT o.slug FROM org_sso_domains d
         JOIN org_sso_configs c ON c.organization_id = d.organization_id AND c.enabled
         JOIN organizations o ON o.id = d.organization_id
        WHERE d.domain = lower($1) AND d.verified_at IS NOT NULL`,
      [domain],
    );
    return rows[0]?.slug;
  }

  async upsertConfig(
    db: Db,
    organizationId: string,
    values: Omit<SsoConfigRow, 'organization_id' | 'slug' | 'updated_at' | 'email_domains'>,
  ): Promise<void> {
    const columns = [
      'protocol',
      'issuer',
      'client_id',
      'client_secret_encrypted',
      'saml_idp_entity_id',
      'saml_sso_url',
      'saml_idp_certs',
      'saml_email_attribute',
      'saml_name_attribute',
      'saml_groups_attribute',
      'groups_claim',
      'default_org_role',
      'group_mappings',
      'require_sso',
      'enabled',
      'scopes',
    ] as const;
    const params = columns.map((c) => (c === 'group_mappings' ? JSON.stringify(values.group_mappings) : values[c]));
    await db.query(
      `INSERT INTO org_sso_configs (organization_id, ${columns.join(', ')})
       VALUES ($1, ${columns.map((c, i) => `$${i + 2}${c === 'group_mappings' ? '::jsonb' : ''}`).join(', ')})
       ON CONFLICT (organization_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
      [organizationId, ...params],
    );
  }

  // Email domains --------------------------------------------------------------------------------------------------

  async domains(db: Db, organizationId: string): Promise<SsoDomainRow[]> {
    return queryRows<SsoDomainRow>(
      db,
      `SELECT domain, verification_token, verified_at FROM org_sso_domains WHERE organization_id = $1 ORDER BY domain`,
      [organizationId],
    );
  }

  async domain(db: Db, organizationId: string, domain: string): Promise<SsoDomainRow | undefined> {
    const rows = await queryRows<SsoDomainRow>(
      db,
      `SELECT domain, verification_token, verified_at FROM org_sso_domains WHERE organization_id = $1 AND domain = $2`,
      [organizationId, domain],
    );
    return rows[0];
  }

  /** Claims a domain for the organization (unverified, with a fresh token); an existing claim is kept as it is. */
  async claimDomain(db: Db, organizationId: string, domain: string, token: string): Promise<void> {
    await db.query(
      `INSERT INTO org_sso_domains (organization_id, domain, verification_token) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, domain) DO NOTHING`,
      [organizationId, domain, token],
    );
  }

  /** Keeps only these claims of the organization. */
  async keepDomains(db: Db, organizationId: string, domains: string[]): Promise<void> {
    await db.query(`DELETE FROM org_sso_domains WHERE organization_id = $1 AND NOT (domain = ANY($2::text[]))`, [organizationId, domains]);
  }

  async deleteDomain(db: Db, organizationId: string, domain: string): Promise<boolean> {
    const rows = await queryRows<unknown>(db, `DELETE FROM org_sso_domains WHERE organization_id = $1 AND domain = $2 RETURNING domain`, [
      organizationId,
      domain,
    ]);
    return rows.length > 0;
  }

  /** System scope (other organizations' rows are not visible to a tenant): whether another organization verified this domain. */
  async verifiedElsewhere(db: Db, organizationId: string, domain: string): Promise<boolean> {
    const rows = await queryRows<unknown>(
      db,
      `SELECT 1 FROM org_sso_domains WHERE domain = $1 AND organization_id <> $2 AND verified_at IS NOT NULL`,
      [domain, organizationId],
    );
    return rows.length > 0;
  }

  /**
   * Marks the claim verified. Two organizations verifying at once: the unique index on verified domains lets one
   * win; the other gets false.
   */
  async markVerified(db: Db, organizationId: string, domain: string): Promise<boolean> {
    try {
      await db.query(`UPDATE org_sso_domains SET verified_at = coalesce(verified_at, now()) WHERE organization_id = $1 AND domain = $2`, [
        organizationId,
        domain,
      ]);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return false;
      throw error;
    }
  }

  async deleteConfig(db: Db, organizationId: string): Promise<boolean> {
    const rows = await queryRows<unknown>(db, `DELETE FROM org_sso_configs WHERE organization_id = $1 RETURNING organization_id`, [
      organizationId,
    ]);
    return rows.length > 0;
  }

  /** Project ids of the organization by slug (for group mappings). */
  async projectIds(db: Db, organizationId: string, slugs: string[]): Promise<Map<string, string>> {
    const rows = await queryRows<{ id: string; slug: string }>(
      db,
      `SELECT id, slug FROM projects WHERE organization_id = $1 AND slug = ANY($2::text[])`,
      [organizationId, slugs],
    );
    return new Map(rows.map((r) => [r.slug, r.id]));
  }

  async projectSlugs(db: Db, organizationId: string, ids: string[]): Promise<Map<string, string>> {
    const rows = await queryRows<{ id: string; slug: string }>(
      db,
      `SELECT id, slug FROM projects WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.slug]));
  }

  // Sign-in attempts -----------------------------------------------------------------------------------------------

  async createSignIn(db: Db, stateHash: Buffer, row: SsoSignInRow): Promise<void> {
    await db.query(`DELETE FROM sso_sign_ins WHERE expires_at < now() - interval '1 hour'`);
    await db.query(
      `INSERT INTO sso_sign_ins (state_hash, organization_id, browser_hash, nonce, code_verifier, saml_request_id, return_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [stateHash, row.organization_id, row.browser_hash, row.nonce, row.code_verifier, row.saml_request_id, row.return_to, row.expires_at],
    );
  }

  /** Marks the attempt with this state used and returns it, once: unknown, expired or used states return nothing. */
  async claimSignIn(db: Db, stateHash: Buffer, organizationId: string): Promise<SsoSignInRow | undefined> {
    const rows = await queryRows<SsoSignInRow>(
      db,
      `UPDATE sso_sign_ins SET used_at = now()
        WHERE state_hash = $1 AND organization_id = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING organization_id, browser_hash, nonce, code_verifier, saml_request_id, return_to, expires_at`,
      [stateHash, organizationId],
    );
    return rows[0];
  }

  /**
   * The unexpired attempt with this state, without claiming it: a SAML response is checked against it first (then
   * its assertion is recorded against replay, then the attempt is claimed, once).
   */
  async openSignIn(db: Db, stateHash: Buffer, organizationId: string): Promise<SsoSignInRow | undefined> {
    const rows = await queryRows<SsoSignInRow>(
      db,
      `SELECT organization_id, browser_hash, nonce, code_verifier, saml_request_id, return_to, expires_at FROM sso_sign_ins
        WHERE state_hash = $1 AND organization_id = $2 AND expires_at > now()`,
      [stateHash, organizationId],
    );
    return rows[0];
  }

  /**
   * SAML: the browser came back from the ACS to this site, with its cookie. Attaches the hand-off code to the
   * session the ACS started, once, and only for the browser that started the sign-in.
   */
  async claimSamlReturn(
    db: Db,
    stateHash: Buffer,
    organizationId: string,
    browserHash: Buffer,
    handoffHash: Buffer,
    expiresAt: Date,
  ): Promise<string | undefined> {
    const rows = await queryRows<{ return_to: string }>(
      db,
      `UPDATE sso_sign_ins SET handoff_hash = $4, expires_at = $5
        WHERE state_hash = $1 AND organization_id = $2 AND browser_hash = $3 AND used_at IS NOT NULL
          AND session_id IS NOT NULL AND handoff_hash IS NULL AND expires_at > now()
        RETURNING return_to`,
      [stateHash, organizationId, browserHash, handoffHash, expiresAt],
    );
    return rows[0]?.return_to;
  }

  /** Remembers an accepted assertion until it expires; false when it was accepted before (a replay). */
  async recordAssertion(db: Db, organizationId: string, assertionId: string, expiresAt: Date): Promise<boolean> {
    await db.query(`DELETE FROM saml_assertions WHERE organization_id = $1 AND expires_at < now()`, [organizationId]);
    const rows = await queryRows<unknown>(
      db,
      `INSERT INTO saml_assertions (organization_id, assertion_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, assertion_id) DO NOTHING RETURNING assertion_id`,
      [organizationId, assertionId, expiresAt],
    );
    return rows.length > 0;
  }

  /** Ties the attempt to the session it started, with the hand-off code (OIDC) or without it yet (SAML: at the return). */
  async attachHandoff(db: Db, stateHash: Buffer, handoffHash: Buffer | null, sessionId: string, expiresAt: Date): Promise<void> {
    await db.query(`UPDATE sso_sign_ins SET handoff_hash = $2, session_id = $3, expires_at = $4 WHERE state_hash = $1`, [
      stateHash,
      handoffHash,
      sessionId,
      expiresAt,
    ]);
  }

  /** The session a hand-off code stands for, once. */
  async claimHandoff(db: Db, handoffHash: Buffer): Promise<string | undefined> {
    const rows = await queryRows<{ session_id: string }>(
      db,
      `UPDATE sso_sign_ins SET handoff_used_at = now()
        WHERE handoff_hash = $1 AND handoff_used_at IS NULL AND expires_at > now() AND session_id IS NOT NULL
        RETURNING session_id`,
      [handoffHash],
    );
    return rows[0]?.session_id;
  }

  // Just-in-time provisioning (system scope) -----------------------------------------------------------------------

  async identityUser(db: Db, organizationId: string, issuer: string, subject: string): Promise<string | undefined> {
    const rows = await queryRows<{ user_id: string }>(
      db,
      `UPDATE sso_identities SET last_sign_in_at = now()
        WHERE organization_id = $1 AND issuer = $2 AND subject = $3 RETURNING user_id`,
      [organizationId, issuer, subject],
    );
    return rows[0]?.user_id;
  }

  async linkIdentity(db: Db, organizationId: string, issuer: string, subject: string, userId: string): Promise<void> {
    await db.query(
      `INSERT INTO sso_identities (organization_id, issuer, subject, user_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, issuer, subject) DO UPDATE SET user_id = EXCLUDED.user_id, last_sign_in_at = now()`,
      [organizationId, issuer, subject, userId],
    );
  }

  /** The person with this email, created (without a password) when there is none. */
  async userForEmail(db: Db, email: string, name: string): Promise<string> {
    await db.query(
      `INSERT INTO users (email, name, kind) VALUES ($1, $2, 'human')
       ON CONFLICT (lower(email)) WHERE email IS NOT NULL DO NOTHING`,
      [email, name],
    );
    const rows = await queryRows<{ id: string }>(db, `SELECT id FROM users WHERE lower(email) = lower($1) AND kind = 'human'`, [email]);
    return rows[0]!.id;
  }

  /** Whether the organization's SCIM provisioning deactivated this person. */
  async scimDeactivated(db: Db, organizationId: string, userId: string): Promise<boolean> {
    const rows = await queryRows<unknown>(db, `SELECT 1 FROM scim_users WHERE organization_id = $1 AND user_id = $2 AND NOT active`, [
      organizationId,
      userId,
    ]);
    return rows.length > 0;
  }

  async lockOrganization(db: Db, organizationId: string): Promise<void> {
    await db.query(`SELECT id FROM organizations WHERE id = $1 FOR UPDATE`, [organizationId]);
  }

  async membership(db: Db, organizationId: string, userId: string): Promise<{ role: OrgRole; sso_managed: boolean } | undefined> {
    const rows = await queryRows<{ role: OrgRole; sso_managed: boolean }>(
      db,
      `SELECT role, sso_managed FROM org_members WHERE organization_id = $1 AND user_id = $2`,
      [organizationId, userId],
    );
    return rows[0];
  }

  async otherOwners(db: Db, organizationId: string, userId: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      db,
      `SELECT count(*)::int AS n FROM org_members WHERE organization_id = $1 AND role = 'owner' AND user_id <> $2`,
      [organizationId, userId],
    );
    return rows[0]!.n;
  }

  async setMembership(db: Db, organizationId: string, userId: string, role: OrgRole): Promise<void> {
    await db.query(
      `INSERT INTO org_members (organization_id, user_id, role, sso_managed) VALUES ($1, $2, $3, true)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role, sso_managed = true`,
      [organizationId, userId, role],
    );
  }

  /**
   * Makes the project roles SSO granted exactly `wanted`: grants and changes those (never overriding a membership
   * given by hand) and takes back the SSO-granted ones not wanted any more. Returns whether anything changed.
   */
  async applyProjectRoles(db: Db, organizationId: string, userId: string, wanted: Map<string, ProjectRole>): Promise<boolean> {
    const ids = [...wanted.keys()];
    const roles = ids.map((id) => wanted.get(id)!);
    const removed = await queryRows<unknown>(
      db,
      `DELETE FROM project_members WHERE organization_id = $1 AND user_id = $2 AND sso_managed AND NOT (project_id = ANY($3::uuid[]))
       RETURNING project_id`,
      [organizationId, userId, ids],
    );
    const upserted = ids.length
      ? await db.query(
          `INSERT INTO project_members (organization_id, project_id, user_id, role, sso_managed)
           SELECT $1, w.project_id, $2, w.role, true
             FROM unnest($3::uuid[], $4::text[]) AS w(project_id, role)
             JOIN projects p ON p.id = w.project_id AND p.organization_id = $1
           ON CONFLICT (organization_id, project_id, user_id) DO UPDATE SET role = EXCLUDED.role
             WHERE project_members.sso_managed AND project_members.role <> EXCLUDED.role
           RETURNING project_id`,
          [organizationId, userId, ids, roles],
        )
      : [];
    return removed.length > 0 || upserted.length > 0;
  }
}
