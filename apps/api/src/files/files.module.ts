import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { RunFilesController } from './run-files.controller';
import { RunFilesRepository } from './run-files.repository';
import { RunFilesService } from './run-files.service';

@Module({
  imports: [RunsModule, StorageModule],
  controllers: [RunFilesController],
  providers: [RunFilesService, RunFilesRepository],
  exports: [RunFilesService, RunFilesRepository],
})
export class FilesModule {}
