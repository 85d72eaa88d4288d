import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import {
  AliasDto,
  CreateModelVersionDto,
  LatestVersionsDto,
  ModelVersionDto,
  ModelVersionTagDto,
  RegisteredModelDto,
  RegisteredModelTagDto,
  RegistrySearchDto,
  RenameRegisteredModelDto,
  TransitionStageDto,
  UpdateModelVersionDto,
} from './mlflow.dto';
import { invalidParameter } from './mlflow.errors';
import { Mlflow, MlflowRoutes, RequireMlflow, type MlflowRequest } from './mlflow-access';
import { MLFLOW_API } from './mlflow-paths';
import { RegistryService } from './registry.service';

/** Registered models, their versions and aliases (kept in the organization's default project). */
@ApiExcludeController()
@MlflowRoutes()
@Controller(MLFLOW_API)
export class MlflowRegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Post('registered-models/create')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  create(@Mlflow() m: MlflowRequest, @Body() body: RegisteredModelDto) {
    return this.registry.createRegisteredModel(m.ctx, body);
  }

  @Get('registered-models/get')
  @RequireMlflow(ProjectPermission.Read)
  get(@Mlflow() m: MlflowRequest, @Query() query: RegisteredModelDto) {
    return this.registry.getRegisteredModel(m.ctx, query.name);
  }

  @Patch('registered-models/update')
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  update(@Mlflow() m: MlflowRequest, @Body() body: RegisteredModelDto) {
    return this.registry.updateRegisteredModel(m.ctx, body.name, { description: body.description });
  }

  @Delete('registered-models/delete')
  @RequireMlflow(ProjectPermission.ArtifactsManage)
  delete(@Mlflow() m: MlflowRequest, @Body() body: RegisteredModelDto) {
    return this.registry.deleteRegisteredModel(m.ctx, body.name);
  }

  @Get('registered-models/search')
  @RequireMlflow(ProjectPermission.Read)
  search(@Mlflow() m: MlflowRequest, @Query() query: RegistrySearchDto) {
    return this.registry.searchRegisteredModels(m.ctx, query);
  }

  @Post('registered-models/get-latest-versions')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.Read)
  latest(@Mlflow() m: MlflowRequest, @Body() body: LatestVersionsDto) {
    return this.registry.latestVersions(m.ctx, body.name, body.stages);
  }

  @Post('registered-models/rename')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsManage)
  rename(@Mlflow() m: MlflowRequest, @Body() body: RenameRegisteredModelDto) {
    return this.registry.renameRegisteredModel(m.ctx, body.name, body.new_name);
  }

  @Post('registered-models/set-tag')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  async setTag(@Mlflow() m: MlflowRequest, @Body() body: RegisteredModelTagDto) {
    await this.registry.updateRegisteredModel(m.ctx, body.name, { tags: [{ key: body.key, value: body.value }] });
    return {};
  }

  @Delete('registered-models/delete-tag')
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  async deleteTag(@Mlflow() m: MlflowRequest, @Body() body: RegisteredModelTagDto) {
    await this.registry.updateRegisteredModel(m.ctx, body.name, { removeTag: body.key });
    return {};
  }

  @Post('registered-models/alias')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsManage)
  setAlias(@Mlflow() m: MlflowRequest, @Body() body: AliasDto) {
    if (!body.version) throw invalidParameter('version is required');
    return this.registry.setAlias(m.ctx, body.name, body.alias, body.version);
  }

  @Delete('registered-models/alias')
  @RequireMlflow(ProjectPermission.ArtifactsManage)
  deleteAlias(@Mlflow() m: MlflowRequest, @Body() body: AliasDto) {
    return this.registry.deleteAlias(m.ctx, body.name, body.alias);
  }

  @Get('registered-models/alias')
  @RequireMlflow(ProjectPermission.Read)
  byAlias(@Mlflow() m: MlflowRequest, @Query() query: AliasDto) {
    return this.registry.byAlias(m.ctx, query.name, query.alias);
  }

  @Post('model-versions/create')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  createVersion(@Mlflow() m: MlflowRequest, @Body() body: CreateModelVersionDto) {
    return this.registry.createModelVersion(m.ctx, body);
  }

  @Get('model-versions/get')
  @RequireMlflow(ProjectPermission.Read)
  getVersion(@Mlflow() m: MlflowRequest, @Query() query: ModelVersionDto) {
    return this.registry.getModelVersion(m.ctx, query.name, query.version);
  }

  @Get('model-versions/get-download-uri')
  @RequireMlflow(ProjectPermission.Read)
  downloadUri(@Mlflow() m: MlflowRequest, @Query() query: ModelVersionDto) {
    return this.registry.downloadUri(m.ctx, query.name, query.version);
  }

  @Get('model-versions/search')
  @RequireMlflow(ProjectPermission.Read)
  searchVersions(@Mlflow() m: MlflowRequest, @Query() query: RegistrySearchDto) {
    return this.registry.searchModelVersions(m.ctx, query);
  }

  @Patch('model-versions/update')
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  updateVersion(@Mlflow() m: MlflowRequest, @Body() body: UpdateModelVersionDto) {
    return this.registry.changeModelVersion(m.ctx, body.name, body.version, { description: body.description ?? '' });
  }

  @Post('model-versions/transition-stage')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  transitionStage(@Mlflow() m: MlflowRequest, @Body() body: TransitionStageDto) {
    return this.registry.changeModelVersion(m.ctx, body.name, body.version, {
      stage: body.stage,
      archiveExisting: body.archive_existing_versions,
    });
  }

  @Post('model-versions/set-tag')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  async setVersionTag(@Mlflow() m: MlflowRequest, @Body() body: ModelVersionTagDto) {
    await this.registry.changeModelVersion(m.ctx, body.name, body.version, { tags: [{ key: body.key, value: body.value }] });
    return {};
  }

  @Delete('model-versions/delete-tag')
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  async deleteVersionTag(@Mlflow() m: MlflowRequest, @Body() body: ModelVersionTagDto) {
    await this.registry.changeModelVersion(m.ctx, body.name, body.version, { removeTag: body.key });
    return {};
  }

  @Delete('model-versions/delete')
  @RequireMlflow(ProjectPermission.ArtifactsManage)
  deleteVersion(@Mlflow() m: MlflowRequest, @Body() body: ModelVersionDto) {
    return this.registry.deleteModelVersion(m.ctx, body.name, body.version);
  }
}
