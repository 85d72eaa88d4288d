import { effectiveProjectRole, ORG_ROLES, PROJECT_ROLES, PROJECT_VISIBILITIES } from '@trackbase/contracts';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/test-app';
import { projectReadableSql } from './permissions';

/**
 * "Who can read a project" is decided in TypeScript (effectiveProjectRole: request scoping, project lists,
 * comment recipients) and in SQL (projectReadableSql: notifications). PostgreSQL evaluates the SQL rule here for
 * every org role, visibility and project membership, and must answer as the TypeScript rule does.
 */
describe('who can read a project', () => {
  let db: Client;
  beforeAll(async () => {
    db = new Client({ connectionString: await createTestDatabase() });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
  });

  it('the SQL rule of the notifications and effectiveProjectRole agree on every combination', async () => {
    const cases = ORG_ROLES.flatMap((orgRole) =>
      PROJECT_VISIBILITIES.flatMap((visibility) => [null, ...PROJECT_ROLES].map((projectRole) => ({ orgRole, visibility, projectRole }))),
    );
    const predicate = projectReadableSql('$1::text', '$2::text', '$3::boolean');
    for (const c of cases) {
      const { rows } = await db.query<{ readable: boolean }>(`SELECT (${predicate}) AS readable`, [
        c.orgRole,
        c.visibility,
        c.projectRole !== null,
      ]);
      expect({ ...c, readable: rows[0]!.readable }).toEqual({
        ...c,
        readable: effectiveProjectRole(c.orgRole, c.projectRole, c.visibility) !== null,
      });
    }
    expect(cases).toHaveLength(ORG_ROLES.length * PROJECT_VISIBILITIES.length * (PROJECT_ROLES.length + 1));
  });
});
