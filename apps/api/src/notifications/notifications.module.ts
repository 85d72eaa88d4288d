import { Module } from '@nestjs/common';
import { AccountModule } from '../account/account.module';
import { NotificationEvents } from './notification-events';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** A user's notifications (mentions and replies): written by comments, read and marked by their user, pushed by the gateway. */
@Module({
  imports: [AccountModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsRepository, NotificationEvents],
  exports: [NotificationsService, NotificationEvents],
})
export class NotificationsModule {}
