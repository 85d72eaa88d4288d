import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CommentsModule } from '../comments/comments.module';
import { RunsModule } from '../runs/runs.module';
import { RealtimeGateway } from './realtime.gateway';

@Module({ imports: [AuthModule, RunsModule, CommentsModule], providers: [RealtimeGateway] })
export class RealtimeModule {}
