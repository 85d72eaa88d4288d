import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { renderEmail, type EmailContent } from './mail-template';

export interface OutgoingEmail {
  to: string;
  content: EmailContent;
  /** One-click unsubscribe (RFC 8058): the URL answers a POST. */
  listUnsubscribe?: string;
}

/**
 * The one way the API sends email. With SMTP_URL, through nodemailer's SMTP transport (pooled); without it, each
 * email is written to the structured log, links included, so a single-node install without a mail server still works.
 * Sending happens after the request's commit and never fails a request: a failure is logged.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transport: Transporter | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = config.SMTP_URL
      ? nodemailer.createTransport(config.SMTP_URL.includes('?') ? config.SMTP_URL : `${config.SMTP_URL}?pool=true`)
      : null;
  }

  /** Whether email really leaves the server (otherwise the UI shows links itself). */
  get delivers(): boolean {
    return this.transport !== null;
  }

  async send(email: OutgoingEmail): Promise<void> {
    const rendered = renderEmail(email.content);
    if (!this.transport) {
      this.logger.log({ msg: 'email (no SMTP_URL: not sent)', to: email.to, subject: rendered.subject, text: rendered.text });
      return;
    }
    const headers: Record<string, string> = {};
    if (email.listUnsubscribe) {
      headers['List-Unsubscribe'] = `<${email.listUnsubscribe}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    await this.transport.sendMail({
      from: this.config.EMAIL_FROM,
      to: email.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      headers,
    });
  }

  /** Sends without waiting or failing: for after-commit hooks. */
  dispatch(email: OutgoingEmail): void {
    this.send(email).catch((error: Error) => this.logger.error({ msg: 'email not sent', to: email.to, err: error.message }));
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
