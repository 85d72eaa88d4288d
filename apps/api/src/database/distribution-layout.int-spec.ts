import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/test-app';

/**
 * The layout that distributing the schema by organization needs (Citus, or any sharding by tenant):
 * tenant tables are distributed on `organization_id`, so each of their primary keys and unique
 * indexes must contain it (a shard can only enforce uniqueness within itself), and each foreign key
 * between two tenant tables must carry it on both sides (so both rows live on the same shard).
 * Global tables become reference tables, copied to every node: a reference table may point at
 * another reference table, and a tenant table may point at a reference table, but a reference table
 * may not point at a tenant table. See docs/scaling.md.
 *
 * Every table is one or the other: a table with `organization_id` is a tenant table unless it is
 * listed here, and a table without it must be listed here.
 */
const GLOBAL_TABLES: Record<string, string> = {
  organizations: 'the tenants themselves; every tenant row points at one',
  users: 'people sign in before choosing an organization and belong to many; service users carry organization_id as an attribute',
  sessions: 'a signed-in person, across organizations',
  refresh_tokens: 'belong to sessions',
  account_tokens: 'password reset and email verification, per person',
  sign_in_failures: 'sign-in backoff by email, before any organization is known',
  user_two_factor: 'per person',
  user_recovery_codes: 'per person',
  email_preferences: 'per person',
  email_digest_items: 'per person, across organizations',
  schema_migrations: 'TypeORM bookkeeping',
  api_keys: 'found by prefix before the organization is known; the prefix must be unique across organizations',
  scim_tokens: 'found by prefix before the organization is known; the prefix must be unique across organizations',
  invitations: 'accepted by token by someone not yet a member; the token hash is unique across organizations',
  sso_sign_ins: 'an SSO round trip is found by its state and handoff hashes before the session exists',
  org_sso_domains: 'a verified email domain routes sign-in to one organization, so it is unique across organizations',
};

interface Table {
  name: string;
  orgNullable: boolean | null;
}
interface UniqueIndex {
  table: string;
  index: string;
  primary: boolean;
  hasOrg: boolean;
  definition: string;
}
interface ForeignKey {
  table: string;
  name: string;
  target: string;
  columns: string[];
  targetColumns: string[];
}

describe('distribution by organization', () => {
  let db: Client;
  let tables: Table[];
  let uniques: UniqueIndex[];
  let foreignKeys: ForeignKey[];
  const isTenant = (name: string) => tables.some((t) => t.name === name && t.orgNullable !== null) && !(name in GLOBAL_TABLES);

  beforeAll(async () => {
    db = new Client({ connectionString: await createTestDatabase() });
    await db.connect();
    tables = (
      await db.query<Table>(
        `SELECT c.relname AS name, CASE WHEN a.attname IS NULL THEN NULL ELSE NOT a.attnotnull END AS "orgNullable"
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          ORDER BY 1`,
      )
    ).rows;
    uniques = (
      await db.query<UniqueIndex>(
        `SELECT c.relname AS table, ic.relname AS index, i.indisprimary AS primary,
                EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
                           AND a.attnum = ANY (i.indkey)) AS "hasOrg",
                pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND i.indisunique AND NOT c.relispartition
          ORDER BY 1, 2`,
      )
    ).rows;
    foreignKeys = (
      await db.query<ForeignKey>(
        `SELECT k.conrelid::regclass::text AS table, k.conname AS name, k.confrelid::regclass::text AS target,
                array(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
                        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o) AS columns,
                array(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
                        JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o) AS "targetColumns"
           FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
          WHERE k.contype = 'f' AND n.nspname = 'public' AND k.conparentid = 0
          ORDER BY 1, 2`,
      )
    ).rows;
  });
  afterAll(async () => {
    await db?.end();
  });

  it('classifies every table as tenant or global', () => {
    const unclassified = tables.filter((t) => t.orgNullable === null && !(t.name in GLOBAL_TABLES)).map((t) => t.name);
    expect(unclassified, 'tables without organization_id that are not listed as global').toEqual([]);
    const gone = Object.keys(GLOBAL_TABLES).filter((name) => !tables.some((t) => t.name === name));
    expect(gone, 'global tables listed here that no longer exist').toEqual([]);
    const tenant = tables.filter((t) => isTenant(t.name));
    expect(tenant.length).toBeGreaterThan(30);
    expect(
      tenant.filter((t) => t.orgNullable).map((t) => t.name),
      'tenant tables whose organization_id may be null',
    ).toEqual([]);
  });

  it('gives every tenant table a primary key', () => {
    const withoutKey = tables.filter((t) => isTenant(t.name) && !uniques.some((u) => u.table === t.name && u.primary));
    expect(withoutKey.map((t) => t.name)).toEqual([]);
  });

  it('includes organization_id in every primary key and unique index of a tenant table', () => {
    const missing = uniques.filter((u) => isTenant(u.table) && !u.hasOrg).map((u) => `${u.table}: ${u.definition}`);
    expect(missing, `${missing.length} missing:\n${missing.join('\n')}`).toEqual([]);
  });

  it('carries organization_id on both sides of every foreign key between tenant tables', () => {
    const missing = foreignKeys
      .filter((k) => isTenant(k.table) && isTenant(k.target))
      .filter((k) => {
        const at = k.columns.indexOf('organization_id');
        return at < 0 || k.targetColumns[at] !== 'organization_id';
      })
      .map((k) => `${k.table}.${k.name} (${k.columns.join(', ')}) -> ${k.target} (${k.targetColumns.join(', ')})`);
    expect(missing, `${missing.length} missing:\n${missing.join('\n')}`).toEqual([]);
  });

  it('has no foreign key from a global table to a tenant table', () => {
    const missing = foreignKeys.filter((k) => !isTenant(k.table) && isTenant(k.target)).map((k) => `${k.table}.${k.name} -> ${k.target}`);
    expect(missing, `${missing.length} missing:\n${missing.join('\n')}`).toEqual([]);
  });
});
