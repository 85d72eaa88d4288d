import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { RunsModule } from '../runs/runs.module';
import { CommentEvents } from './comment-events';
import { CommentsController } from './comments.controller';
import { CommentsRepository } from './comments.repository';
import { CommentsService } from './comments.service';

@Module({
  imports: [RunsModule, NotificationsModule],
  controllers: [CommentsController],
  providers: [CommentsService, CommentsRepository, CommentEvents],
  exports: [CommentEvents],
})
export class CommentsModule {}
