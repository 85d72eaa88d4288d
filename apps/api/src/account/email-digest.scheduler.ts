import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { EmailNotificationsService } from './email-notifications.service';

/**
 * Every node looks for due digests every EMAIL_DIGEST_INTERVAL_MS; the claim (SKIP LOCKED) makes each go once.
 * The same tick forgets account tokens a day past their expiry.
 */
@Injectable()
export class EmailDigestScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EmailDigest');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly notifications: EmailNotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.EMAIL_DIGEST_INTERVAL_MS) return;
    this.timer = setInterval(() => void this.tick(), this.config.EMAIL_DIGEST_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while ((await this.notifications.sendDueDigests()) > 0);
      await this.notifications.purgeExpiredTokens();
    } catch (error) {
      this.logger.error({ err: error }, 'digest run failed');
    } finally {
      this.running = false;
    }
  }
}
