import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { MediaIngestModule } from '../media/media-ingest.module';
import { CrashMonitor } from './crash-monitor.service';
import { CompactionRepository } from './compaction/compaction.repository';
import { SegmentCompactor } from './compaction/segment-compactor.service';
import { BatchGroups } from './ingest/batch-groups';
import { BATCH_ROUTE, BatchRoute } from './ingest/batch-route';
import { BatchService } from './ingest/batch.service';
import { IngestRepository } from './ingest/ingest.repository';
import { LineageRepository } from './lineage/lineage.repository';
import { LineageController } from './lineage/lineage.controller';
import { LineageService } from './lineage/lineage.service';
import { RunEvents } from './run-events';
import { RunColumnsController } from './columns/run-columns.controller';
import { RunColumnsRepository } from './columns/run-columns.repository';
import { RunColumnsService } from './columns/run-columns.service';
import { RunsQueryRepository } from './runs-query.repository';
import { RunsQueryService } from './runs-query.service';
import { RunsController } from './runs.controller';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';
import { SeriesExport } from './series/series-export';
import { SeriesRepository } from './series/series.repository';
import { SeriesService } from './series/series.service';
import { SeriesQueryService } from './series/series-query.service';
import { SeriesReader } from './series/series-reader';
import { ForkSeries } from './series/fork-series';
import { SeriesController } from './series.controller';
import { ExportController } from './export/export.controller';
import { ProjectExport } from './export/project-export.service';
import { InheritedPoints } from './export/inherited-points';
import { ForkAccess } from './fork-access';

@Module({
  imports: [MediaIngestModule],
  controllers: [RunsController, SeriesController, LineageController, RunColumnsController, ExportController],
  providers: [
    RunsRepository,
    RunsService,
    RunsQueryService,
    RunsQueryRepository,
    RunColumnsRepository,
    RunColumnsService,
    BatchService,
    BatchGroups,
    IngestRepository,
    LineageRepository,
    LineageService,
    SeriesRepository,
    SeriesService,
    SeriesReader,
    ForkSeries,
    SeriesQueryService,
    SeriesService,
    SeriesExport,
    ProjectExport,
    InheritedPoints,
    ForkAccess,
    RunEvents,
    CrashMonitor,
    CompactionRepository,
    SegmentCompactor,
  ],
  exports: [
    RunEvents,
    RunsRepository,
    CrashMonitor,
    RunsService,
    BatchService,
    SeriesRepository,
    RunsQueryService,
    SeriesQueryService,
    SeriesService,
    ProjectExport,
  ],
})
export class RunsModule implements NestModule {
  /** Batches skip the router and Nest's pipeline (see BatchRoute); every other route of this module is a plain Nest route. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BatchRoute).forRoutes({ path: BATCH_ROUTE, method: RequestMethod.POST });
  }
}
