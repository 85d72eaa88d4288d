import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { RunsModule } from '../runs/runs.module';
import { ReportExportService } from './export/report-export.service';
import { ReportDataService } from './report-data.service';
import { ReportEvents } from './report-events';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';
import { SharedReportsController } from './shared-reports.controller';
import { SharedReportsService } from './shared-reports.service';

@Module({
  imports: [RunsModule, MediaModule],
  controllers: [ReportsController, SharedReportsController],
  providers: [ReportsService, ReportsRepository, ReportDataService, SharedReportsService, ReportExportService, ReportEvents],
  exports: [SharedReportsService, ReportEvents, ReportsService],
})
export class ReportsModule {}
