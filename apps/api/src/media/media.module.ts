import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { MediaIngestModule } from './media-ingest.module';
import { MediaController } from './media.controller';
import { MediaService } from './media.service';

/** Media series of runs: reads for the run page and the compare grid, and the declaration of their content objects. */
@Module({
  imports: [RunsModule, StorageModule, MediaIngestModule],
  controllers: [MediaController],
  providers: [MediaService],
  exports: [MediaService],
})
export class MediaModule {}
