import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { RunParamDto } from '../runs/dto/runs.dto';
import {
  ArchiveRequestDto,
  DeclareFilesDto,
  DeclareFilesResponseDto,
  FileListingDto,
  FilePathQueryDto,
  FilePrefixQueryDto,
  FilePreviewDto,
  SignedUrlDto,
} from '../storage/dto/storage.dto';
import { RunFilesService } from './run-files.service';

@ApiTags('files')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/runs/:run/files')
export class RunFilesController {
  constructor(private readonly files: RunFilesService) {}

  /** The direct children of `prefix` (the run's root when omitted): files, and directories with their totals. */
  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: FileListingDto })
  list(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: FilePrefixQueryDto) {
    return this.files.list(ctx, params.run, query.prefix);
  }

  /** Declares files (path, size, SHA-256) and answers with an upload plan for each one whose content is not stored yet. */
  @Post()
  @HttpCode(200)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: DeclareFilesResponseDto })
  declare(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: DeclareFilesDto) {
    return this.files.declare(ctx, params.run, body.files);
  }

  /** A download URL for one file, valid for minutes and for that file only. */
  @Get('url')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SignedUrlDto })
  url(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: FilePathQueryDto) {
    return this.files.downloadUrl(ctx, params.run, query.path);
  }

  /** The first bytes of text, JSON and CSV (as rows), or a URL for images. */
  @Get('preview')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: FilePreviewDto })
  preview(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: FilePathQueryDto) {
    return this.files.preview(ctx, params.run, query.path);
  }

  /** A URL that downloads a directory (or every file of the run) as one tar. */
  @Post('archive')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SignedUrlDto })
  archive(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: ArchiveRequestDto) {
    return this.files.archive(ctx, params.run, body.prefix);
  }

  @Delete()
  @HttpCode(204)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  async delete(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: FilePathQueryDto) {
    await this.files.delete(ctx, params.run, query.path);
  }
}
