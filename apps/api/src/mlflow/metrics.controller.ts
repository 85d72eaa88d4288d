import { Controller, Get, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { MetricHistoryBulkDto, MetricHistoryDto } from './mlflow.dto';
import { Mlflow, MlflowRoutes, RequireMlflow, type MlflowRequest } from './mlflow-access';
import { MLFLOW_API } from './mlflow-paths';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@MlflowRoutes()
@Controller(`${MLFLOW_API}/metrics`)
export class MlflowMetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('get-history')
  @RequireMlflow(ProjectPermission.Read)
  history(@Mlflow() m: MlflowRequest, @Query() query: MetricHistoryDto) {
    return this.metrics.history(m.ctx, query);
  }

  @Get('get-history-bulk-interval')
  @RequireMlflow(ProjectPermission.Read)
  bulkInterval(@Mlflow() m: MlflowRequest, @Query() query: MetricHistoryBulkDto) {
    return this.metrics.bulkInterval(m.ctx, query);
  }
}
