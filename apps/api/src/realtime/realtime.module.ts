import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RunsModule } from '../runs/runs.module';
import { RealtimeGateway } from './realtime.gateway';

@Module({ imports: [AuthModule, RunsModule], providers: [RealtimeGateway] })
export class RealtimeModule {}
