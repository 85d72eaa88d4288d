import { Module } from '@nestjs/common';
import { MediaIngestService } from './media-ingest.service';
import { MediaThumbnailer } from './media-thumbnailer.service';
import { MediaRepository } from './media.repository';

/** Storing media items, for the batch ingestion path (runs) and the media reads alike. */
@Module({
  providers: [MediaIngestService, MediaRepository, MediaThumbnailer],
  exports: [MediaIngestService, MediaRepository, MediaThumbnailer],
})
export class MediaIngestModule {}
