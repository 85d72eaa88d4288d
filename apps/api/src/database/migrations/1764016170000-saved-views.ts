import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Saved views of a project's workspace: filter, sort, columns, grouping and
 * chart panels under a name, shared with the project or personal. One view
 * may be the project's default; each person may pick a default of their own,
 * which wins over the project's.
 */
export class SavedViews1764016170000 implements MigrationInterface {
  name = 'SavedViews1764016170000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saved_views (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
        visibility text NOT NULL CHECK (visibility IN ('project', 'personal')),
        name text NOT NULL,
        state jsonb NOT NULL,
        project_default boolean NOT NULL DEFAULT false CHECK (NOT project_default OR visibility = 'project'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        UNIQUE (organization_id, id)
      )`);
    await q.query(`CREATE INDEX saved_views_organization_idx ON saved_views (organization_id)`);
    await q.query(`CREATE UNIQUE INDEX saved_views_shared_name_idx ON saved_views (project_id, lower(name)) WHERE visibility = 'project'`);
    await q.query(
      `CREATE UNIQUE INDEX saved_views_personal_name_idx ON saved_views (project_id, owner_id, lower(name)) WHERE visibility = 'personal'`,
    );
    await q.query(`CREATE UNIQUE INDEX saved_views_project_default_idx ON saved_views (project_id) WHERE project_default`);
    await q.query(`
      CREATE TABLE saved_view_defaults (
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        view_id uuid NOT NULL,
        PRIMARY KEY (project_id, user_id),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, view_id) REFERENCES saved_views(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX saved_view_defaults_organization_idx ON saved_view_defaults (organization_id)`);
    await q.query(`CREATE INDEX saved_view_defaults_view_idx ON saved_view_defaults (view_id)`);
    await enableTenantSecurity(q, ['saved_views', 'saved_view_defaults']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS saved_view_defaults`);
    await q.query(`DROP TABLE IF EXISTS saved_views`);
  }
}
