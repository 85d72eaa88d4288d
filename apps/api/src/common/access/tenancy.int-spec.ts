import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, createServiceAccount, signup, type TestUser } from '../../../test/api-client';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { inScopedTransaction } from '../../database/tenant-scope';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };
let projectB: string;
let runB: { id: string; key: string };

beforeAll(async () => {
  t = await startTestApp();
  alice = await signup(t.url, 'Alice');
  bob = await signup(t.url, 'Bob');
  orgA = await createOrg(alice);
  orgB = await createOrg(bob);
  await createProject(alice, orgA.slug, 'org');
  projectB = (await createProject(bob, orgB.slug, 'org')).slug;
  runB = (await bob.api.post(`/orgs/${orgB.slug}/projects/${projectB}/runs`, {})).body;
  await bob.api.post(`/orgs/${orgB.slug}/invitations`, { email: 'someone@example.com', role: 'member' });
  await createServiceAccount(bob, orgB.slug);
});
afterAll(() => t.close());

describe('another organization is invisible', () => {
  it('answers 404 with the same body as something that does not exist', async () => {
    const probes = [
      [`/orgs/${orgB.slug}`, '/orgs/no-such-org'],
      [`/orgs/${orgB.slug}/projects/${projectB}`, `/orgs/no-such-org/projects/${projectB}`],
      [`/orgs/${orgB.slug}/projects/${projectB}/runs/${runB.key}`, `/orgs/no-such-org/projects/nothing/runs/X-1`],
      [`/orgs/${orgB.slug}/members`, '/orgs/nothing-here/members'],
      [`/orgs/${orgB.slug}/service-accounts`, '/orgs/nothing-here/service-accounts'],
    ];
    for (const [foreign, missing] of probes) {
      const a = await alice.api.get(foreign!);
      const b = await alice.api.get(missing!);
      expect(a.status, foreign).toBe(404);
      expect(b.status, missing).toBe(404);
      // The message names the slugs the caller asked for (and nothing else), so compare it with them blanked.
      const same = (error: { message: string }) => ({ ...error, requestId: undefined, message: error.message.replace(/"[^"]*"/g, '"…"') });
      expect(same(a.body.error)).toEqual(same(b.body.error));
      expect(a.body.error.message).not.toContain(orgB.id);
    }
  });

  it('ids of another organization cannot be reached through your own', async () => {
    const projectA = (await alice.api.get(`/orgs/${orgA.slug}/projects`)).body[0].slug;
    expect((await alice.api.get(`/orgs/${orgA.slug}/projects/${projectA}/runs/${runB.id}`)).status).toBe(404);
    expect((await alice.api.delete(`/orgs/${orgA.slug}/members/${bob.id}`)).status).toBe(404);
    const bobInvitations = (await bob.api.get(`/orgs/${orgB.slug}/invitations`)).body;
    expect((await alice.api.delete(`/orgs/${orgA.slug}/invitations/${bobInvitations[0].id}`)).status).toBe(404);
    const bobBots = (await bob.api.get(`/orgs/${orgB.slug}/service-accounts`)).body;
    expect((await alice.api.delete(`/orgs/${orgA.slug}/service-accounts/${bobBots[0].id}`)).status).toBe(404);
    expect((await alice.api.put(`/orgs/${orgA.slug}/projects/${projectA}/members/${bob.id}`, { role: 'viewer' })).status).toBe(404);
  });

  it('a service account sees only its own organization', async () => {
    const bot = await createServiceAccount(alice, orgA.slug);
    const client = alice.api.as(bot.apiKey.key);
    expect((await client.get('/orgs')).body.map((o: { slug: string }) => o.slug)).toEqual([orgA.slug]);
    expect((await client.get(`/orgs/${orgB.slug}/projects`)).status).toBe(404);
  });
});

describe('row-level security', () => {
  const TABLES = [
    'organizations',
    'org_members',
    'invitations',
    'projects',
    'project_members',
    'audit_entries',
    'runs',
    'users',
    'api_keys',
  ];

  it('every table with an organization_id column has row-level security and a tenant policy', async () => {
    const tables: Array<{ table: string; secured: boolean; policies: number }> = await t.dataSource.query(
      `SELECT c.relname AS table, c.relrowsecurity AS secured, (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
        ORDER BY 1`,
    );
    expect(tables.length).toBeGreaterThan(15);
    expect(tables.filter((r) => !r.secured || r.policies === 0).map((r) => r.table)).toEqual([]);
  });

  it("an unscoped query in a tenant transaction returns only that tenant's rows", async () => {
    for (const table of TABLES) {
      const counts = await inScopedTransaction(t.dataSource, { kind: 'tenant', organizationId: orgA.id }, async (em) => {
        const column =
          table === 'organizations'
            ? 'id'
            : table === 'users'
              ? 'coalesce(organization_id, $1)'
              : table === 'api_keys'
                ? '$1'
                : 'organization_id';
        const [row] = await em.query(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${column} <> $1)::int AS foreign FROM ${table}`,
          [orgA.id],
        );
        return row as { total: number; foreign: number };
      });
      expect(counts.foreign, table).toBe(0);
    }
    const total = await inScopedTransaction(t.dataSource, { kind: 'tenant', organizationId: orgA.id }, (em) =>
      em.query(`SELECT count(*)::int AS n FROM runs`),
    );
    expect(total[0].n).toBe(0);
    const systemView = await t.dataSource.query(`SELECT count(*)::int AS n FROM runs WHERE organization_id = $1`, [orgB.id]);
    expect(systemView[0].n).toBe(1);
  });

  it('people outside the tenant are not visible through users', async () => {
    const ids = await inScopedTransaction(t.dataSource, { kind: 'tenant', organizationId: orgA.id }, (em) =>
      em.query(`SELECT id FROM users`),
    );
    expect(ids.map((r: { id: string }) => r.id)).toContain(alice.id);
    expect(ids.map((r: { id: string }) => r.id)).not.toContain(bob.id);
  });

  it('refuses to write a row for another organization', async () => {
    await expect(
      inScopedTransaction(t.dataSource, { kind: 'tenant', organizationId: orgA.id }, (em) =>
        em.query(`INSERT INTO projects (organization_id, slug, name, visibility) VALUES ($1, 'sneaky', 'x', 'org')`, [orgB.id]),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await inScopedTransaction(t.dataSource, { kind: 'tenant', organizationId: orgA.id }, (em) =>
      em.query(`UPDATE runs SET name = 'hijacked' WHERE id = $1 RETURNING id`, [runB.id]),
    );
    expect(updated[0]).toEqual([]);
  });
});
