import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { ProjectTablesController } from './project-tables.controller';
import { RunTablesController } from './run-tables.controller';
import { RunTablesRepository } from './run-tables.repository';
import { RunTablesService } from './run-tables.service';
import { TableCache } from './table-cache';
import { TableEngine } from './table-engine';
import { TableMediaService } from './table-media';

/** Tables logged by runs: stored as Parquet, queried with DuckDB. */
@Module({
  imports: [RunsModule, StorageModule],
  controllers: [RunTablesController, ProjectTablesController],
  providers: [RunTablesService, RunTablesRepository, TableEngine, TableCache, TableMediaService],
  exports: [RunTablesService],
})
export class TablesModule {}
