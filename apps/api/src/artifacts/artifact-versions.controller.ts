import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import {
  ArchiveRequestDto,
  DeclareFilesDto,
  DeclareFilesResponseDto,
  FilePathQueryDto,
  FilePreviewDto,
  SignedUrlDto,
} from '../storage/dto/storage.dto';
import {
  ArtifactParamDto,
  ArtifactVersionDto,
  CreateVersionDto,
  CreateVersionResponseDto,
  UseVersionDto,
  VersionFilesDto,
  VersionParamDto,
} from './dto/artifacts.dto';
import { ArtifactVersionsService } from './artifact-versions.service';
import { ArtifactsService } from './artifacts.service';

/** `:version` is `v3`, an alias such as `latest` or `production`, or a draft's id. */
@ApiTags('artifacts')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/artifacts/:name/versions')
export class ArtifactVersionsController {
  constructor(
    private readonly artifacts: ArtifactsService,
    private readonly versions: ArtifactVersionsService,
  ) {}

  /**
   * Declares a version (creating the artifact on first use). 201 with upload plans for a new draft,
   * or the committed version when nothing needs uploading; 200 with `created: false` when identical
   * content is already a version.
   */
  @Post()
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: CreateVersionResponseDto })
  async create(
    @Ctx() ctx: RequestContext,
    @Param() params: ArtifactParamDto,
    @Body() body: CreateVersionDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.versions.create(ctx, params.name, body);
    response.status(result.created ? 201 : 200);
    return result;
  }

  @Get(':version')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ArtifactVersionDto })
  get(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto) {
    return this.artifacts.version(ctx, params.name, params.version);
  }

  /** Commits a draft once its files are uploaded: it becomes the next `v<n>` and `latest`. */
  @Post(':version/commit')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: ArtifactVersionDto })
  async commit(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto) {
    return (await this.versions.commit(ctx, params.name, params.version)).version;
  }

  @Delete(':version')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.ArtifactsManage)
  async delete(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto) {
    await this.versions.deleteVersion(ctx, params.name, params.version);
  }

  /** Records that a run used this version as an input. */
  @Post(':version/use')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: ArtifactVersionDto })
  use(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto, @Body() body: UseVersionDto) {
    return this.versions.use(ctx, params.name, params.version, body.run);
  }

  /** Declares more files of a draft made with `partial: true`, or asks again for plans of files declared before. */
  @Post(':version/files')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: DeclareFilesResponseDto })
  addFiles(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto, @Body() body: DeclareFilesDto) {
    return this.versions.addFiles(ctx, params.name, params.version, body.files);
  }

  @Get(':version/files')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: VersionFilesDto })
  files(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto) {
    return this.artifacts.files(ctx, params.name, params.version);
  }

  @Get(':version/files/url')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SignedUrlDto })
  fileUrl(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto, @Query() query: FilePathQueryDto) {
    return this.artifacts.downloadUrl(ctx, params.name, params.version, query.path);
  }

  @Get(':version/files/preview')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: FilePreviewDto })
  preview(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto, @Query() query: FilePathQueryDto) {
    return this.artifacts.preview(ctx, params.name, params.version, query.path);
  }

  @Post(':version/files/archive')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SignedUrlDto })
  archive(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto, @Body() body: ArchiveRequestDto) {
    return this.artifacts.archive(ctx, params.name, params.version, body.prefix);
  }
}
