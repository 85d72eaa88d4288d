import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Forks: a run may name the run it was forked from and the step it forked at.
 * Points are not copied; series reads stitch the parent's points up to and
 * including `fork_step` with the child's own. A parent run's deletion leaves
 * its forks standing without their inherited history (SET NULL).
 */
export class RunForks1764200800000 implements MigrationInterface {
  name = 'RunForks1764200800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE runs
        ADD COLUMN fork_parent_id uuid REFERENCES runs(id) ON DELETE SET NULL,
        ADD COLUMN fork_step bigint CHECK (fork_step >= 0),
        ADD CONSTRAINT runs_fork_step_with_parent CHECK ((fork_parent_id IS NULL) = (fork_step IS NULL) OR fork_parent_id IS NULL)`);
    await q.query(`CREATE INDEX runs_fork_parent_idx ON runs (organization_id, fork_parent_id) WHERE fork_parent_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs DROP COLUMN fork_step, DROP COLUMN fork_parent_id`);
  }
}
