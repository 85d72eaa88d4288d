import { Module } from '@nestjs/common';
import { NotificationsController } from '../notifications/notifications.controller';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { NotificationsService } from '../notifications/notifications.service';
import { RunsModule } from '../runs/runs.module';
import { CommentEvents } from './comment-events';
import { CommentsController } from './comments.controller';
import { CommentsRepository } from './comments.repository';
import { CommentsService } from './comments.service';

@Module({
  imports: [RunsModule],
  controllers: [CommentsController, NotificationsController],
  providers: [CommentsService, CommentsRepository, CommentEvents, NotificationsService, NotificationsRepository],
  exports: [CommentEvents],
})
export class CommentsModule {}
