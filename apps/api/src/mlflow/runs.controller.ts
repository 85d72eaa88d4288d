import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import {
  CreateRunDto,
  DeleteTagDto,
  LogBatchDto,
  LogInputsDto,
  LogOutputsDto,
  LogMetricDto,
  LogModelDto,
  LogParamDto,
  RunIdDto,
  SearchRunsDto,
  SetTagDto,
  UpdateRunDto,
} from './mlflow.dto';
import { Mlflow, MlflowRoutes, RequireMlflow, type MlflowRequest } from './mlflow-access';
import { MLFLOW_API } from './mlflow-paths';
import { MlflowRunsService } from './mlflow-runs.service';
import { RunLoggingService } from './run-logging.service';
import { SearchRunsService } from './search-runs.service';
import { LoggedModelsService } from './logged-models.service';

@ApiExcludeController()
@MlflowRoutes()
@Controller(`${MLFLOW_API}/runs`)
export class MlflowRunsController {
  constructor(
    private readonly runs: MlflowRunsService,
    private readonly logging: RunLoggingService,
    private readonly searchRuns: SearchRunsService,
    private readonly models: LoggedModelsService,
  ) {}

  @Post('create')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  create(@Mlflow() m: MlflowRequest, @Body() body: CreateRunDto) {
    return this.runs.create(m.ctx, body);
  }

  @Get('get')
  @RequireMlflow(ProjectPermission.Read)
  get(@Mlflow() m: MlflowRequest, @Query() query: RunIdDto) {
    return this.runs.get(m.ctx, query.run_id);
  }

  @Post('update')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  update(@Mlflow() m: MlflowRequest, @Body() body: UpdateRunDto) {
    return this.runs.update(m.ctx, body);
  }

  @Post('delete')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  delete(@Mlflow() m: MlflowRequest, @Body() body: RunIdDto) {
    return this.runs.setDeleted(m.ctx, body.run_id, true);
  }

  @Post('restore')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  restore(@Mlflow() m: MlflowRequest, @Body() body: RunIdDto) {
    return this.runs.setDeleted(m.ctx, body.run_id, false);
  }

  @Post('search')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Read)
  search(@Mlflow() m: MlflowRequest, @Body() body: SearchRunsDto) {
    return this.searchRuns.search(m.ctx, body);
  }

  @Post('log-metric')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  logMetric(@Mlflow() m: MlflowRequest, @Body() body: LogMetricDto) {
    return this.logging.logBatch(m.ctx, {
      run_id: body.run_id,
      metrics: [{ key: body.key, value: body.value, timestamp: body.timestamp, step: body.step }],
    });
  }

  @Post('log-parameter')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  logParam(@Mlflow() m: MlflowRequest, @Body() body: LogParamDto) {
    return this.logging.logBatch(m.ctx, { run_id: body.run_id, params: [{ key: body.key, value: body.value }] });
  }

  @Post('set-tag')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  setTag(@Mlflow() m: MlflowRequest, @Body() body: SetTagDto) {
    return this.logging.logBatch(m.ctx, { run_id: body.run_id, tags: [{ key: body.key, value: body.value }] });
  }

  @Post('delete-tag')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  deleteTag(@Mlflow() m: MlflowRequest, @Body() body: DeleteTagDto) {
    return this.runs.deleteTag(m.ctx, body.run_id, body.key);
  }

  @Post('log-batch')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  logBatch(@Mlflow() m: MlflowRequest, @Body() body: LogBatchDto) {
    return this.logging.logBatch(m.ctx, body);
  }

  @Post('log-inputs')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  async logInputs(@Mlflow() m: MlflowRequest, @Body() body: LogInputsDto) {
    await this.logging.logInputs(m.ctx, body);
    if (body.models?.length) await this.models.link(m.ctx, body.run_id, 'input', body.models);
    return {};
  }

  /** MLflow 2's log_model (after the files were uploaded). */
  @Post('log-model')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  logModel(@Mlflow() m: MlflowRequest, @Body() body: LogModelDto) {
    return this.logging.logModel(m.ctx, body.run_id, body.model_json);
  }

  /** MLflow 3: the logged models a run produced, as the run's model outputs. */
  @Post('outputs')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  outputs(@Mlflow() m: MlflowRequest, @Body() body: LogOutputsDto) {
    return this.models.link(m.ctx, body.run_id, 'output', body.models ?? []);
  }
}
