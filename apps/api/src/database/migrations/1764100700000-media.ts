import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * Media series. One row per logged item: (run, key, step, index within the
 * step) is its identity, so logging the same position again replaces the item
 * and a retried batch cannot add a second one. File-backed items reference a
 * content object of the run (and a thumbnail the server made); typed items
 * (histograms, charts, Markdown) keep their data in `data`. Masks reference
 * their class-map objects in `media_masks`. Objects are stored_objects rows of
 * the run, so usage and quota count them and run deletion removes them.
 */
export class Media1764100700000 implements MigrationInterface {
  name = 'Media1764100700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE media_items (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        run_id uuid NOT NULL,
        key text COLLATE "C" NOT NULL,
        step bigint NOT NULL CHECK (step >= 0),
        idx integer NOT NULL CHECK (idx >= 0),
        time timestamptz NOT NULL,
        type text NOT NULL,
        content_type text,
        object_id uuid,
        thumbnail_object_id uuid,
        width integer,
        height integer,
        duration double precision,
        sample_rate integer,
        format text,
        caption text,
        boxes jsonb,
        data jsonb,
        metadata jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (run_id, key, step, idx),
        FOREIGN KEY (organization_id, project_id) REFERENCES projects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, object_id) REFERENCES stored_objects(organization_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organization_id, thumbnail_object_id) REFERENCES stored_objects(organization_id, id) ON DELETE SET NULL (thumbnail_object_id)
      )`);
    await q.query(`CREATE INDEX media_items_organization_idx ON media_items (organization_id)`);
    await q.query(`CREATE INDEX media_items_project_idx ON media_items (project_id)`);
    await q.query(`CREATE INDEX media_items_object_idx ON media_items (object_id) WHERE object_id IS NOT NULL`);
    await q.query(`CREATE INDEX media_items_thumbnail_idx ON media_items (thumbnail_object_id) WHERE thumbnail_object_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE media_masks (
        organization_id uuid NOT NULL,
        item_id bigint NOT NULL REFERENCES media_items(id) ON DELETE CASCADE,
        name text NOT NULL,
        object_id uuid NOT NULL,
        class_names jsonb,
        PRIMARY KEY (item_id, name),
        FOREIGN KEY (organization_id, object_id) REFERENCES stored_objects(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX media_masks_organization_idx ON media_masks (organization_id)`);
    await q.query(`CREATE INDEX media_masks_object_idx ON media_masks (object_id)`);

    await enableTenantSecurity(q, ['media_items', 'media_masks']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE media_masks`);
    await q.query(`DROP TABLE media_items`);
  }
}
