import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { RunsModule } from '../runs/runs.module';
import { ReadmesController } from './readmes.controller';
import { ReadmesRepository } from './readmes.repository';
import { ReadmesService } from './readmes.service';

@Module({
  imports: [RunsModule, ArtifactsModule],
  controllers: [ReadmesController],
  providers: [ReadmesService, ReadmesRepository],
})
export class ReadmesModule {}
