import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Single sign-on (OpenID Connect) per organization: the provider its owners configured (client secret encrypted
 * with SECRETS_KEY), the email domains it serves (each claimed by one organization), the links from a provider's
 * subject to a user, and the short-lived sign-in attempts (state, nonce, PKCE verifier; single use). Sessions
 * record which organization's provider signed them in; memberships record whether SSO granted them, so a later
 * sign-in can take back what the groups no longer give.
 */
export class Sso1764307000000 implements MigrationInterface {
  name = 'Sso1764307000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE org_sso_configs (
        organization_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret_encrypted text NOT NULL,
        scopes text[] NOT NULL DEFAULT '{openid,email,profile}',
        groups_claim text NOT NULL DEFAULT 'groups',
        default_org_role text NOT NULL DEFAULT 'member' CHECK (default_org_role IN ('admin', 'member')),
        group_mappings jsonb NOT NULL DEFAULT '[]',
        require_sso boolean NOT NULL DEFAULT false,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE org_sso_domains (
        domain text PRIMARY KEY CHECK (domain = lower(domain)),
        organization_id uuid NOT NULL REFERENCES org_sso_configs(organization_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX org_sso_domains_organization_idx ON org_sso_domains (organization_id)`);
    await q.query(`
      CREATE TABLE sso_identities (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        issuer text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, issuer, subject)
      )`);
    await q.query(`CREATE INDEX sso_identities_user_idx ON sso_identities (user_id)`);
    await q.query(`
      CREATE TABLE sso_sign_ins (
        state_hash bytea PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        browser_hash bytea NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        return_to text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        handoff_hash bytea UNIQUE,
        session_id uuid REFERENCES sessions(id) ON DELETE CASCADE,
        handoff_used_at timestamptz
      )`);
    await q.query(`CREATE INDEX sso_sign_ins_expiry_idx ON sso_sign_ins (expires_at)`);
    await q.query(`CREATE INDEX sso_sign_ins_organization_idx ON sso_sign_ins (organization_id)`);
    await q.query(`ALTER TABLE sessions ADD COLUMN sso_organization_id uuid REFERENCES organizations(id) ON DELETE SET NULL`);
    // Deleting an organization clears this column: an index keeps that from scanning every session.
    await q.query(`CREATE INDEX sessions_sso_organization_idx ON sessions (sso_organization_id) WHERE sso_organization_id IS NOT NULL`);
    await q.query(`ALTER TABLE org_members ADD COLUMN sso_managed boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE project_members ADD COLUMN sso_managed boolean NOT NULL DEFAULT false`);
    await enableTenantSecurity(q, ['org_sso_configs', 'org_sso_domains', 'sso_identities', 'sso_sign_ins']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE project_members DROP COLUMN sso_managed`);
    await q.query(`ALTER TABLE org_members DROP COLUMN sso_managed`);
    await q.query(`ALTER TABLE sessions DROP COLUMN sso_organization_id`);
    for (const table of ['sso_sign_ins', 'sso_identities', 'org_sso_domains', 'org_sso_configs']) await q.query(`DROP TABLE ${table}`);
  }
}
