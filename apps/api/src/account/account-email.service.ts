import { Inject, Injectable } from '@nestjs/common';
import type { Accepted, PasswordReset, PasswordResetRequest } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import { hashPassword } from '../auth/password';
import { randomToken, sha256 } from '../auth/secret-token';
import { AccessEvents } from '../common/access/access-events';
import type { RequestContext } from '../common/context/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MailService } from '../mail/mail.service';
import { accountLinks } from './account-links';
import { invalidAccountToken } from './account.errors';
import { AccountRepository } from './account.repository';

const RESET_REQUESTED: Accepted = {
  status: 'accepted',
  message: 'If this email has an account, a link to choose a new password is on its way.',
};

/**
 * Email verification and password reset, each by a single-use, expiring token mailed to the address (stored as its
 * SHA-256). Both answer alike whether or not an account exists.
 */
@Injectable()
export class AccountEmailService {
  constructor(
    private readonly repository: AccountRepository,
    private readonly mail: MailService,
    private readonly accessEvents: AccessEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** After a sign-up: a new account gets a verification link; an existing one is told, with a reset link. */
  async afterSignup(ctx: RequestContext, email: string, created: string | null): Promise<void> {
    if (created) {
      await this.sendVerification(ctx, created, email);
      return;
    }
    const existing = await this.repository.humanByEmail(ctx.em, email);
    if (!existing) return;
    const origin = ctx.origin;
    ctx.afterCommit(() =>
      this.mail.dispatch({
        to: existing.email,
        content: {
          subject: 'Someone tried to sign up with your email',
          paragraphs: [
            `Hello ${existing.name},`,
            'Someone (perhaps you) tried to create a Trackbase account with this email, which already has one. Nothing was changed.',
            'If you forgot your password, you can choose a new one:',
          ],
          action: { label: 'Reset your password', url: accountLinks.forgotPassword(origin) },
          footer: ['If this was not you, you can ignore this email.'],
        },
      }),
    );
  }

  async sendVerification(ctx: RequestContext, userId: string, email: string): Promise<void> {
    const token = `tbv_${randomToken()}`;
    await this.repository.voidTokens(ctx.em, userId, 'verify_email');
    await this.repository.insertToken(ctx.em, userId, 'verify_email', sha256(token), this.config.EMAIL_VERIFICATION_TTL_HOURS * 3600);
    const url = accountLinks.verifyEmail(ctx.origin, token);
    ctx.afterCommit(() =>
      this.mail.dispatch({
        to: email,
        content: {
          subject: 'Confirm your email for Trackbase',
          paragraphs: [
            'Welcome to Trackbase.',
            `Confirm that this is your email address (the link works for ${this.config.EMAIL_VERIFICATION_TTL_HOURS} hours):`,
          ],
          action: { label: 'Confirm my email', url },
          footer: ['If you did not sign up, ignore this email: the account stays unverified.'],
        },
      }),
    );
  }

  /** A signed-in person asks for a new verification link. */
  async resendVerification(ctx: RequestContext): Promise<Accepted> {
    const user = await this.repository.human(ctx.em, ctx.user.userId);
    if (user?.email && !user.verified) await this.sendVerification(ctx, user.id, user.email);
    return { status: 'accepted', message: 'If your email is not verified yet, a new link is on its way.' };
  }

  async verify(em: EntityManager, token: string): Promise<void> {
    const userId = await this.repository.consumeToken(em, 'verify_email', sha256(token));
    if (!userId) throw invalidAccountToken();
    await this.repository.markVerified(em, userId);
  }

  async requestReset(ctx: RequestContext, input: PasswordResetRequest): Promise<Accepted> {
    const user = await this.repository.humanByEmail(ctx.em, input.email);
    if (!user) return RESET_REQUESTED;
    const token = `tbp_${randomToken()}`;
    await this.repository.voidTokens(ctx.em, user.id, 'reset_password');
    await this.repository.insertToken(ctx.em, user.id, 'reset_password', sha256(token), this.config.PASSWORD_RESET_TTL_MINUTES * 60);
    const url = accountLinks.resetPassword(ctx.origin, token);
    ctx.afterCommit(() =>
      this.mail.dispatch({
        to: user.email,
        content: {
          subject: 'Reset your Trackbase password',
          paragraphs: [
            `Hello ${user.name},`,
            `Someone asked to reset the password of this account. The link works once, for ${this.config.PASSWORD_RESET_TTL_MINUTES} minutes:`,
          ],
          action: { label: 'Choose a new password', url },
          footer: ['If you did not ask for this, ignore this email: your password stays as it is.'],
        },
      }),
    );
    return RESET_REQUESTED;
  }

  /**
   * Sets the new password, uses the token, verifies the email (the link proved it), and ends every session of the
   * account: refresh tokens stop, access tokens and sockets at once (via the revocation path, on every node).
   */
  async reset(ctx: RequestContext, input: PasswordReset): Promise<void> {
    const passwordHash = await hashPassword(input.password);
    const userId = await this.repository.consumeToken(ctx.em, 'reset_password', sha256(input.token));
    if (!userId) throw invalidAccountToken();
    await this.repository.setPassword(ctx.em, userId, passwordHash);
    await this.repository.markVerified(ctx.em, userId);
    await this.repository.revokeSessions(ctx.em, userId, 'password_reset');
    ctx.afterCommit(() => this.accessEvents.emit('sessionsRevoked', { userId, origin: 'local' }));
  }
}
