import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { SignInBackoffRepository } from '../auth/sign-in-backoff.repository';
import { AccountEmailService } from './account-email.service';
import { AccountAuthController, AccountController, OrgSecurityController } from './account.controller';
import { AccountRepository } from './account.repository';
import { EmailDigestScheduler } from './email-digest.scheduler';
import { EmailNotificationsService } from './email-notifications.service';
import { UnsubscribeController } from './unsubscribe.controller';
import { TwoFactorService } from './two-factor.service';

/**
 * A person's account beyond signing in: email verification, password reset, two-factor, email preferences and
 * the notification emails they govern. Used by auth (sign-up, the second sign-in step) and notifications.
 */
@Module({
  imports: [RunsModule],
  controllers: [AccountAuthController, AccountController, OrgSecurityController, UnsubscribeController],
  providers: [
    AccountRepository,
    AccountEmailService,
    TwoFactorService,
    SignInBackoffRepository,
    EmailNotificationsService,
    EmailDigestScheduler,
  ],
  exports: [AccountEmailService, TwoFactorService, EmailNotificationsService],
})
export class AccountModule {}
