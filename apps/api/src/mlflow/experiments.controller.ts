import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import {
  CreateExperimentDto,
  ExperimentByNameDto,
  ExperimentIdDto,
  ExperimentTagDto,
  SearchExperimentsDto,
  UpdateExperimentDto,
} from './mlflow.dto';
import { Mlflow, MlflowRoutes, RequireMlflow, type MlflowRequest } from './mlflow-access';
import { MLFLOW_API } from './mlflow-paths';
import { ExperimentsService } from './experiments.service';

@ApiExcludeController()
@MlflowRoutes()
@Controller(`${MLFLOW_API}/experiments`)
export class MlflowExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Post('create')
  @HttpCode(200)
  @RequireMlflow('org:projects:create')
  create(@Mlflow() m: MlflowRequest, @Body() body: CreateExperimentDto) {
    return this.experiments.create(m.ctx, body);
  }

  @Get('get')
  @RequireMlflow(ProjectPermission.Read)
  get(@Mlflow() m: MlflowRequest, @Query() query: ExperimentIdDto) {
    return this.experiments.get(m.ctx, query.experiment_id);
  }

  @Get('get-by-name')
  @RequireMlflow(ProjectPermission.Read)
  getByName(@Mlflow() m: MlflowRequest, @Query() query: ExperimentByNameDto) {
    return this.experiments.getByName(m.ctx, query.experiment_name);
  }

  @Post('search')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Read)
  search(@Mlflow() m: MlflowRequest, @Body() body: SearchExperimentsDto) {
    return this.experiments.search(m.ctx, body);
  }

  @Get('search')
  @RequireMlflow(ProjectPermission.Read)
  searchGet(@Mlflow() m: MlflowRequest, @Query() query: SearchExperimentsDto) {
    return this.experiments.search(m.ctx, query);
  }

  @Post('update')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Update)
  update(@Mlflow() m: MlflowRequest, @Body() body: UpdateExperimentDto) {
    return this.experiments.update(m.ctx, body.experiment_id, body.new_name);
  }

  @Post('delete')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Delete)
  delete(@Mlflow() m: MlflowRequest, @Body() body: ExperimentIdDto) {
    return this.experiments.setLifecycle(m.ctx, body.experiment_id, 'deleted');
  }

  @Post('restore')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Delete)
  restore(@Mlflow() m: MlflowRequest, @Body() body: ExperimentIdDto) {
    return this.experiments.setLifecycle(m.ctx, body.experiment_id, 'active');
  }

  @Post('set-experiment-tag')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Update)
  setTag(@Mlflow() m: MlflowRequest, @Body() body: ExperimentTagDto) {
    return this.experiments.setTag(m.ctx, body.experiment_id, body.key, body.value);
  }

  @Post('delete-experiment-tag')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Update)
  deleteTag(@Mlflow() m: MlflowRequest, @Body() body: ExperimentTagDto) {
    return this.experiments.deleteTag(m.ctx, body.experiment_id, body.key);
  }
}
