import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * What the W&B compatibility layer keeps beside a run: how many lines of each
 * file_stream file it has applied (the offsets a retry or a resume continues
 * from, so no line is applied twice), the last history and events lines (the
 * client resumes its step from them), and the config and summary as the
 * client sent them (W&B's nested shape, answered back on resume).
 */
export class Wandb1764000900000 implements MigrationInterface {
  name = 'Wandb1764000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wandb_runs (
        run_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        history_lines integer NOT NULL DEFAULT 0,
        events_lines integer NOT NULL DEFAULT 0,
        console_lines integer NOT NULL DEFAULT 0,
        batch_seq bigint NOT NULL DEFAULT 0,
        history_tail text,
        events_tail text,
        config jsonb NOT NULL DEFAULT '{}'::jsonb,
        summary jsonb NOT NULL DEFAULT '{}'::jsonb,
        FOREIGN KEY (organization_id, run_id) REFERENCES runs(organization_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX wandb_runs_organization_idx ON wandb_runs (organization_id)`);
    await enableTenantSecurity(q, ['wandb_runs']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS wandb_runs`);
  }
}
