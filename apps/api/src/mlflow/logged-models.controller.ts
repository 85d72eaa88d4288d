import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import {
  CreateLoggedModelDto,
  FinalizeLoggedModelDto,
  LoggedModelParamsDto,
  LoggedModelTagsDto,
  ModelIdParamDto,
  SearchLoggedModelsDto,
} from './mlflow.dto';
import { Mlflow, MlflowRoutes, RequireMlflow, type MlflowRequest } from './mlflow-access';
import { MLFLOW_API } from './mlflow-paths';
import { LoggedModelsService } from './logged-models.service';

@ApiExcludeController()
@MlflowRoutes()
@Controller(`${MLFLOW_API}/logged-models`)
export class MlflowLoggedModelsController {
  constructor(private readonly models: LoggedModelsService) {}

  @Post()
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  create(@Mlflow() m: MlflowRequest, @Body() body: CreateLoggedModelDto) {
    return this.models.create(m.ctx, body);
  }

  @Post('search')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Read)
  search(@Mlflow() m: MlflowRequest, @Body() body: SearchLoggedModelsDto) {
    return this.models.search(m.ctx, body);
  }

  @Get(':modelId')
  @RequireMlflow(ProjectPermission.Read)
  get(@Mlflow() m: MlflowRequest, @Param() params: ModelIdParamDto) {
    return this.models.get(m.ctx, params.modelId);
  }

  /** Finalize: the status after the files were uploaded (or failed to be). */
  @Patch(':modelId')
  @RequireMlflow(ProjectPermission.RunsWrite)
  finalize(@Mlflow() m: MlflowRequest, @Param() params: ModelIdParamDto, @Body() body: FinalizeLoggedModelDto) {
    return this.models.update(m.ctx, params.modelId, { status: body.status });
  }

  @Delete(':modelId')
  @RequireMlflow(ProjectPermission.RunsWrite)
  delete(@Mlflow() m: MlflowRequest, @Param() params: ModelIdParamDto) {
    return this.models.delete(m.ctx, params.modelId);
  }

  @Post(':modelId/params')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.RunsWrite)
  params(@Mlflow() m: MlflowRequest, @Param() params: ModelIdParamDto, @Body() body: LoggedModelParamsDto) {
    return this.models.update(m.ctx, params.modelId, { params: body.params ?? [] }).then(() => ({}));
  }

  @Patch(':modelId/tags')
  @RequireMlflow(ProjectPermission.RunsWrite)
  tags(@Mlflow() m: MlflowRequest, @Param() params: ModelIdParamDto, @Body() body: LoggedModelTagsDto) {
    return this.models.update(m.ctx, params.modelId, { tags: body.tags ?? [] }).then(() => ({}));
  }

  @Delete(':modelId/tags/:tagKey')
  @RequireMlflow(ProjectPermission.RunsWrite)
  deleteTag(@Mlflow() m: MlflowRequest, @Param() params: ModelIdParamDto, @Param('tagKey') tagKey: string) {
    return this.models.update(m.ctx, params.modelId, { removeTag: tagKey }).then(() => ({}));
  }
}
