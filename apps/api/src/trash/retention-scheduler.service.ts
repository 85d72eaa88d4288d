import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RequestContext } from '../common/context/request-context';
import { inRequestTransaction } from '../common/context/request-transaction';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inScopedTransaction } from '../database/tenant-scope';
import { RetentionRepository, type DueOrganization } from './retention.repository';
import { RetentionService } from './retention.service';

/**
 * Applies daily retention policies when they are due, on every API node every
 * RETENTION_SCHEDULE_INTERVAL_MS (0: off). Each policy is applied in its own
 * tenant transaction that first claims its row (FOR UPDATE SKIP LOCKED) and
 * advances its next_apply_at before committing, so several nodes never apply
 * the same policy twice; the application is audited as a manual one is
 * (`retention.applied`, with `by: schedule`, and each trashed item).
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RetentionRepository,
    private readonly retention: RetentionService,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.RETENTION_SCHEDULE_INTERVAL_MS;
    if (every === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((error) => this.logger.error({ err: error }, 'scheduled retention failed'))
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: applies every daily policy due now that no other node is applying; returns the projects applied. */
  async runOnce(): Promise<string[]> {
    const orgs = await inScopedTransaction(this.dataSource, { kind: 'system' }, (em) => this.repo.dueOrganizations(em));
    const applied: string[] = [];
    for (const org of orgs) {
      const tried: string[] = [];
      for (;;) {
        const before = tried.length;
        let projectId: string | null = null;
        try {
          projectId = await this.applyNext(org, tried);
        } catch (error) {
          this.logger.error({ err: error, organizationId: org.id }, 'scheduled retention of a project failed; retried next pass');
          // applyNext notes the project it claimed before failing, so the pass moves on to the next one; a failure before any claim ends the organization's turn.
          if (tried.length === before) break;
          continue;
        }
        if (!projectId) break;
        applied.push(projectId);
      }
    }
    if (applied.length) this.logger.log({ projects: applied.length }, 'scheduled retention applied');
    return applied;
  }

  /** Claims and applies one due policy of `org` in one tenant transaction; null when none is left to claim. */
  private async applyNext(org: DueOrganization, tried: string[]): Promise<string | null> {
    const outer = new RequestContext(`retention-${randomUUID()}`, null, { ...org, role: 'owner' });
    return inRequestTransaction(this.dataSource, outer, this.logger, async (ctx) => {
      const claimed = await this.repo.claimDue(ctx.em, org.id, tried);
      if (!claimed) return null;
      tried.push(claimed.project_id);
      const scoped = new RequestContext(ctx.requestId, null, ctx.org, {
        id: claimed.project_id,
        slug: claimed.slug,
        name: claimed.name,
        visibility: claimed.visibility,
        role: 'maintainer',
      });
      scoped.bindTransaction(ctx.em);
      ctx.afterCommit(() => scoped.runAfterCommit((error) => this.logger.error({ err: error }, 'after-commit hook failed')));
      await this.retention.apply(scoped, true);
      return claimed.project_id;
    });
  }
}
