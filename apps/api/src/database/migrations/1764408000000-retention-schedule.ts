import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention policies on a schedule. `schedule` is `manual` (applied only when
 * asked) or `daily`; a daily policy carries `next_apply_at`, which the
 * RetentionScheduler of any node claims (FOR UPDATE SKIP LOCKED) and advances
 * in the transaction that applies it. `last_applied_at` records either kind
 * of application.
 */
export class RetentionSchedule1764408000000 implements MigrationInterface {
  name = 'RetentionSchedule1764408000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE retention_policies
        ADD COLUMN schedule text NOT NULL DEFAULT 'manual' CHECK (schedule IN ('manual', 'daily')),
        ADD COLUMN last_applied_at timestamptz,
        ADD COLUMN next_apply_at timestamptz,
        ADD CONSTRAINT retention_policies_schedule_next CHECK ((schedule = 'daily') = (next_apply_at IS NOT NULL))`);
    await q.query(`CREATE INDEX retention_policies_due_idx ON retention_policies (next_apply_at) WHERE schedule = 'daily'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX retention_policies_due_idx`);
    await q.query(`
      ALTER TABLE retention_policies DROP CONSTRAINT retention_policies_schedule_next,
        DROP COLUMN next_apply_at, DROP COLUMN last_applied_at, DROP COLUMN schedule`);
  }
}
