import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { AuthModule } from '../auth/auth.module';
import { CommentsModule } from '../comments/comments.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReportsModule } from '../reports/reports.module';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [AuthModule, RunsModule, CommentsModule, NotificationsModule, StorageModule, ArtifactsModule, ReportsModule],
  providers: [RealtimeGateway],
})
export class RealtimeModule {}
