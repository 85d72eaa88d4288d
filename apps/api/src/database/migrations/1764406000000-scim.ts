import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * SCIM 2.0 provisioning per organization: the bearer tokens its owners create for the identity provider (only
 * their SHA-256 is kept), the users the provider manages in the organization (their SCIM attributes as sent, and
 * whether they are active), and the provider's groups with their members, which feed the single sign-on group
 * mappings. Account deletion: a deleted person's row stays (what they made keeps its author) as "Deleted user",
 * without email or password; the users check constraint allows exactly that.
 */
export class Scim1764406000000 implements MigrationInterface {
  name = 'Scim1764406000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scim_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        token_hash bytea NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX scim_tokens_organization_idx ON scim_tokens (organization_id)`);
    await q.query(`
      CREATE TABLE scim_users (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        user_name text NOT NULL,
        external_id text,
        active boolean NOT NULL DEFAULT true,
        attributes jsonb NOT NULL DEFAULT '{}',
        created_user boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, user_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX scim_users_user_name_key ON scim_users (organization_id, lower(user_name))`);
    await q.query(`CREATE INDEX scim_users_external_id_idx ON scim_users (organization_id, external_id) WHERE external_id IS NOT NULL`);
    await q.query(`CREATE INDEX scim_users_user_idx ON scim_users (user_id)`);
    await q.query(`
      CREATE TABLE scim_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        display_name text NOT NULL,
        external_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX scim_groups_display_name_key ON scim_groups (organization_id, lower(display_name))`);
    await q.query(`
      CREATE TABLE scim_group_members (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        group_id uuid NOT NULL REFERENCES scim_groups(id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        display text,
        position int NOT NULL DEFAULT 0,
        PRIMARY KEY (group_id, user_id),
        FOREIGN KEY (organization_id, user_id) REFERENCES scim_users(organization_id, user_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX scim_group_members_user_idx ON scim_group_members (organization_id, user_id)`);
    await enableTenantSecurity(q, ['scim_tokens', 'scim_users', 'scim_groups', 'scim_group_members']);

    await q.query(`ALTER TABLE users ADD COLUMN deleted_at timestamptz`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_check`);
    await q.query(`
      ALTER TABLE users ADD CONSTRAINT users_check CHECK (
        CASE WHEN deleted_at IS NULL THEN (kind = 'human') = (email IS NOT NULL AND organization_id IS NULL)
             ELSE kind = 'human' AND email IS NULL AND organization_id IS NULL AND password_hash IS NULL END)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Deleted people keep their rows (what they made points at them); they get an address no one can receive mail at.
    await q.query(`UPDATE users SET email = 'deleted-' || id || '@deleted.invalid' WHERE deleted_at IS NOT NULL`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_check`);
    await q.query(
      `ALTER TABLE users ADD CONSTRAINT users_check CHECK ((kind = 'human') = (email IS NOT NULL AND organization_id IS NULL))`,
    );
    await q.query(`ALTER TABLE users DROP COLUMN deleted_at`);
    for (const table of ['scim_group_members', 'scim_groups', 'scim_users', 'scim_tokens']) await q.query(`DROP TABLE ${table}`);
  }
}
