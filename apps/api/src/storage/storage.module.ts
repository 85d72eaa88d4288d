import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ArchivesController } from './archives.controller';
import { ARCHIVE_SIGNER } from './archive-token';
import { FileAccessService } from './file-access.service';
import { OrgStorageController } from './org-storage.controller';
import { QuotaService } from './quota.service';
import { StorageRepository } from './storage.repository';
import { TokenSigner } from './signed-token';
import { StagingService } from './staging.service';
import { StorageEvents } from './storage-events';
import { StorageJanitor } from './storage-janitor.service';
import { UploadCompletionService } from './upload-completion.service';
import { UploadsController } from './uploads.controller';
import { UploadsService } from './uploads.service';

/** Uploads, downloads, quotas and upkeep of the store; run files and artifacts build on it. */
@Module({
  controllers: [UploadsController, OrgStorageController, ArchivesController],
  providers: [
    UploadsService,
    UploadCompletionService,
    QuotaService,
    StorageRepository,
    FileAccessService,
    StorageJanitor,
    StorageEvents,
    StagingService,
    {
      provide: ARCHIVE_SIGNER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TokenSigner(config.JWT_SECRET, 'archive-urls'),
    },
  ],
  exports: [
    UploadsService,
    StagingService,
    UploadCompletionService,
    FileAccessService,
    QuotaService,
    StorageJanitor,
    StorageEvents,
    StorageRepository,
  ],
})
export class StorageModule {}
