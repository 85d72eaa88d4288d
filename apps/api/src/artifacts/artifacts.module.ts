import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { ArtifactEvents } from './artifact-events';
import { ArtifactVersionsController } from './artifact-versions.controller';
import { ArtifactVersionsService } from './artifact-versions.service';
import { ArtifactsController } from './artifacts.controller';
import { ArtifactsRepository } from './artifacts.repository';
import { ArtifactsService } from './artifacts.service';

@Module({
  imports: [RunsModule, StorageModule],
  controllers: [ArtifactsController, ArtifactVersionsController],
  providers: [ArtifactsRepository, ArtifactsService, ArtifactVersionsService, ArtifactEvents],
  exports: [ArtifactEvents, ArtifactVersionsService, ArtifactsService],
})
export class ArtifactsModule {}
