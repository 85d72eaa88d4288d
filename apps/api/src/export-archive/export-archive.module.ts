import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { ExportArchiveController } from './export-archive.controller';
import { ExportArchive } from './export-archive.service';

/** The project export as one archive: records from the runs domain, files and versions from storage and artifacts. */
@Module({
  imports: [RunsModule, ArtifactsModule, StorageModule],
  controllers: [ExportArchiveController],
  providers: [ExportArchive],
})
export class ExportArchiveModule {}
