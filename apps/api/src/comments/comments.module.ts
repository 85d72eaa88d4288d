import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReportsModule } from '../reports/reports.module';
import { RunsModule } from '../runs/runs.module';
import { CommentEvents } from './comment-events';
import { CommentRemoval } from './comment-removal';
import { CommentsController } from './comments.controller';
import { CommentsRepository } from './comments.repository';
import { CommentsService } from './comments.service';
import { ReportCommentsController } from './report-comments.controller';
import { ReportCommentsService } from './report-comments.service';

@Module({
  imports: [RunsModule, NotificationsModule, ReportsModule],
  controllers: [CommentsController, ReportCommentsController],
  providers: [CommentsService, CommentRemoval, CommentsRepository, CommentEvents, ReportCommentsService],
  exports: [CommentEvents],
})
export class CommentsModule {}
