import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ROLE } from '../tenant-scope';

/** Tables whose rows belong to one organization; each gets the tenant policy. */
const TENANT_TABLES = ['org_members', 'invitations', 'projects', 'project_members', 'audit_entries'];

export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('human', 'service')),
        password_hash text,
        organization_id uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'human') = (email IS NOT NULL AND organization_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL`);

    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      ALTER TABLE users ADD CONSTRAINT users_organization_fk
        FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE`);
    await q.query(`CREATE INDEX users_organization_idx ON users (organization_id) WHERE organization_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        key_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_user_idx ON api_keys (user_id)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id)`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);

    await q.query(`
      CREATE TABLE org_members (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, user_id)
      )`);
    await q.query(`CREATE INDEX org_members_user_idx ON org_members (user_id)`);

    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        token_hash bytea NOT NULL UNIQUE,
        invited_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid REFERENCES users(id) ON DELETE SET NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX invitations_organization_idx ON invitations (organization_id)`);

    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        slug text NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        visibility text NOT NULL CHECK (visibility IN ('private', 'org')),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, slug),
        UNIQUE (organization_id, id)
      )`);

    // The composite keys make a project membership impossible without an org
    // membership in the same organization, and drop it when that goes.
    await q.query(`
      CREATE TABLE project_members (
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'contributor', 'maintainer')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, user_id),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, user_id) REFERENCES org_members(organization_id, user_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX project_members_organization_idx ON project_members (organization_id)`);
    await q.query(`CREATE INDEX project_members_user_idx ON project_members (user_id)`);

    await q.query(`
      CREATE TABLE audit_entries (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_entries_organization_idx ON audit_entries (organization_id, id DESC)`);

    await enableTenantSecurity(q, TENANT_TABLES, 'organizations');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_entries',
      'project_members',
      'projects',
      'invitations',
      'org_members',
      'refresh_tokens',
      'sessions',
      'api_keys',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_organization_fk`);
    await q.query(`DROP TABLE IF EXISTS organizations`);
    await q.query(`DROP TABLE IF EXISTS users`);
  }
}

/**
 * Creates the role that tenant-scoped transactions switch to and gives each
 * tenant table a policy keyed by `trackbase.org_id`. The connecting (owner)
 * role is not subject to these policies; tenant-scoped requests run as
 * TENANT_ROLE, for which rows of other organizations do not exist.
 */
export async function enableTenantSecurity(q: QueryRunner, tables: string[], organizationsTable?: string): Promise<void> {
  await q.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TENANT_ROLE}') THEN
        CREATE ROLE ${TENANT_ROLE} NOLOGIN;
      END IF;
    END $$`);
  await q.query(`GRANT ${TENANT_ROLE} TO CURRENT_USER`);
  await q.query(`GRANT USAGE ON SCHEMA public TO ${TENANT_ROLE}`);
  await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${TENANT_ROLE}`);
  const current = `nullif(current_setting('trackbase.org_id', true), '')::uuid`;
  for (const table of tables) {
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${TENANT_ROLE}`);
    await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY ${table}_tenant ON ${table} TO ${TENANT_ROLE}
        USING (organization_id = ${current})
        WITH CHECK (organization_id = ${current})`);
  }
  if (organizationsTable) {
    await tenantUserPolicies(q, current);
    await q.query(`GRANT SELECT, UPDATE, DELETE ON ${organizationsTable} TO ${TENANT_ROLE}`);
    await q.query(`ALTER TABLE ${organizationsTable} ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY ${organizationsTable}_tenant ON ${organizationsTable} TO ${TENANT_ROLE}
        USING (id = ${current}) WITH CHECK (id = ${current})`);
  }
}

/** People are visible to a tenant only as its members; service accounts are its own rows. */
async function tenantUserPolicies(q: QueryRunner, current: string): Promise<void> {
  await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON users, api_keys TO ${TENANT_ROLE}`);
  await q.query(`ALTER TABLE users ENABLE ROW LEVEL SECURITY`);
  await q.query(`
    CREATE POLICY users_tenant_read ON users FOR SELECT TO ${TENANT_ROLE}
      USING (organization_id = ${current}
        OR EXISTS (SELECT 1 FROM org_members m WHERE m.user_id = users.id AND m.organization_id = ${current}))`);
  for (const command of ['INSERT', 'UPDATE', 'DELETE']) {
    const clause = command === 'INSERT' ? 'WITH CHECK' : 'USING';
    await q.query(`
      CREATE POLICY users_tenant_${command.toLowerCase()} ON users FOR ${command} TO ${TENANT_ROLE}
        ${clause} (kind = 'service' AND organization_id = ${current})`);
  }
  await q.query(`ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY`);
  await q.query(`
    CREATE POLICY api_keys_tenant ON api_keys TO ${TENANT_ROLE}
      USING (EXISTS (SELECT 1 FROM users u WHERE u.id = api_keys.user_id AND u.kind = 'service' AND u.organization_id = ${current}))
      WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = api_keys.user_id AND u.kind = 'service' AND u.organization_id = ${current}))`);
}
