import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Notification } from '@trackbase/contracts';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MailService } from '../mail/mail.service';
import { oneLine } from '../mail/mail-template';
import { RunEvents } from '../runs/run-events';
import { runKey } from '../runs/run-key';
import { accountLinks } from './account-links';
import { AccountRepository } from './account.repository';

export type EmailCategory = 'comments' | 'runs';
const CATEGORY_LABEL: Record<EmailCategory, string> = { comments: 'mentions and replies', runs: 'your runs that finish or crash' };

interface UnsubscribeClaims {
  sub: string;
  cat: EmailCategory;
  typ: 'unsubscribe';
}

/**
 * Notifications by email, as each recipient prefers: off, immediate, or gathered for the daily digest. Only verified
 * addresses receive them. Each email carries a one-click unsubscribe link (RFC 8058) signed with JWT_SECRET.
 * Everything here runs after the change committed, in system scope (preferences are account rows).
 */
@Injectable()
export class EmailNotificationsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('EmailNotifications');
  private unsubscribeRuns?: () => void;

  constructor(
    private readonly repository: AccountRepository,
    private readonly mail: MailService,
    private readonly runEvents: RunEvents,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribeRuns = this.runEvents.on('run', (event) => {
      const state = event.event.state;
      if (event.event.change !== 'updated' || !['finished', 'failed', 'crashed'].includes(state)) return;
      this.runEnded(event.organizationId, event.event.runId).catch((error: Error) =>
        this.logger.error({ msg: 'run email failed', err: error.message }),
      );
    });
  }

  onModuleDestroy(): void {
    this.unsubscribeRuns?.();
  }

  get origin(): string {
    return (this.config.PUBLIC_URL ?? `http://${this.config.HOST}:${this.config.PORT}`).replace(/\/$/, '');
  }

  unsubscribeToken(userId: string, category: EmailCategory): string {
    const claims: UnsubscribeClaims = { sub: userId, cat: category, typ: 'unsubscribe' };
    return jwt.sign(claims, this.config.JWT_SECRET, { algorithm: 'HS256', noTimestamp: true });
  }

  /** The user and category of a link this server signed, or null. */
  readUnsubscribeToken(token: string): { userId: string; category: EmailCategory } | null {
    try {
      const claims = jwt.verify(token, this.config.JWT_SECRET, { algorithms: ['HS256'] }) as Partial<UnsubscribeClaims>;
      if (claims.typ !== 'unsubscribe' || typeof claims.sub !== 'string' || (claims.cat !== 'comments' && claims.cat !== 'runs'))
        return null;
      return { userId: claims.sub, category: claims.cat };
    } catch {
      return null;
    }
  }

  /** New mentions and replies (already committed). */
  async comments(origin: string, notifications: Array<{ userId: string; notification: Notification }>): Promise<void> {
    if (!notifications.length) return;
    const recipients = await this.repository.recipients(
      this.dataSource,
      notifications.map((n) => n.userId),
      'comments',
    );
    for (const { userId, notification: n } of notifications) {
      const recipient = recipients.find((r) => r.user_id === userId);
      if (!recipient || recipient.mode === 'off') continue;
      // A comment is on a project (maybe a run) or on a report (maybe one of its blocks).
      const where = n.report ? `the report ${n.report.title}` : n.runKey ? `${n.org}/${n.project} ${n.runKey}` : `${n.org}/${n.project}`;
      const link = n.report
        ? `${origin}/${encodeURIComponent(n.org)}/reports/${encodeURIComponent(n.report.id)}`
        : `${origin}/${encodeURIComponent(n.org)}/${encodeURIComponent(n.project ?? '')}${n.runKey ? `/runs/${encodeURIComponent(n.runKey)}` : ''}`;
      const subject = `${n.actor.name} ${n.kind === 'mention' ? 'mentioned you' : 'replied to you'} in ${where}`;
      await this.deliver(origin, recipient, 'comments', { subject, body: n.excerpt, link });
    }
  }

  private async runEnded(organizationId: string, runId: string): Promise<void> {
    const run = await this.repository.claimRunEnding(this.dataSource, organizationId, runId);
    if (!run) return;
    const [recipient] = await this.repository.recipients(this.dataSource, [run.user_id], 'runs');
    if (!recipient || recipient.mode === 'off') return;
    const key = runKey(run.project_slug, run.number);
    const origin = this.origin;
    const link = `${origin}/${encodeURIComponent(run.org_slug)}/${encodeURIComponent(run.project_slug)}/runs/${encodeURIComponent(key)}`;
    const verb = run.state === 'finished' ? 'finished' : run.state === 'failed' ? 'failed' : 'crashed';
    await this.deliver(origin, recipient, 'runs', {
      subject: `Run ${key} "${oneLine(run.name, 80)}" ${verb}`,
      body: `Your run ${key} in ${run.org_slug}/${run.project_slug} ${verb}.`,
      link,
    });
  }

  private async deliver(
    origin: string,
    recipient: { user_id: string; email: string; mode: string },
    category: EmailCategory,
    item: { subject: string; body: string; link: string },
  ): Promise<void> {
    if (recipient.mode === 'digest') {
      await this.repository.addDigestItem(this.dataSource, recipient.user_id, category, item);
      return;
    }
    const unsubscribe = accountLinks.unsubscribe(origin, this.unsubscribeToken(recipient.user_id, category));
    this.mail.dispatch({
      to: recipient.email,
      listUnsubscribe: unsubscribe,
      content: {
        subject: item.subject,
        paragraphs: [item.body],
        action: { label: 'Open in Trackbase', url: item.link },
        footer: [`You get these emails for ${CATEGORY_LABEL[category]}. Change this on your account page: ${accountLinks.account(origin)}`],
        unsubscribeUrl: unsubscribe,
      },
    });
  }

  /** Housekeeping on the digest timer: expired verification, reset and sign-in-step tokens go. */
  purgeExpiredTokens(): Promise<number> {
    return this.repository.purgeExpiredTokens(this.dataSource);
  }

  /**
   * Sends the digests that are due, at most `limit`: each claimed by this node (FOR UPDATE SKIP LOCKED) in one
   * transaction that takes its items and moves the next digest a day on; the email goes once that committed.
   * A digest with nothing in it sends nothing. Answers how many were sent.
   */
  async sendDueDigests(limit = 50): Promise<number> {
    const origin = this.origin;
    const outgoing = await this.dataSource.transaction(async (em) => {
      const due = await this.repository.claimDueDigests(em, limit);
      const found: Array<{ userId: string; email: string; items: Array<{ category: EmailCategory; subject: string; link: string }> }> = [];
      for (const row of due) {
        const items = await this.repository.takeDigestItems(em, row.user_id);
        await this.repository.digestSent(em, row.user_id);
        if (items.length) found.push({ userId: row.user_id, email: row.email, items });
      }
      return found;
    });
    for (const digest of outgoing) {
      const categories = [...new Set(digest.items.map((i) => i.category))];
      const unsubscribe = accountLinks.unsubscribe(origin, this.unsubscribeToken(digest.userId, categories[0]!));
      await this.mail
        .send({
          to: digest.email,
          listUnsubscribe: categories.length === 1 ? unsubscribe : undefined,
          content: {
            subject: `Your Trackbase digest: ${digest.items.length} update${digest.items.length === 1 ? '' : 's'}`,
            paragraphs: ['Here is what happened since your last digest:'],
            items: digest.items.map((i) => ({ text: i.subject, url: i.link })),
            footer: [`Change how you get these on your account page: ${accountLinks.account(origin)}`],
            unsubscribeUrl: categories.length === 1 ? unsubscribe : accountLinks.account(origin),
          },
        })
        .catch((error: Error) => this.logger.error({ msg: 'digest not sent', err: error.message }));
    }
    return outgoing.length;
  }
}
