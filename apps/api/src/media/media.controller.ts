import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { RunParamDto } from '../runs/dto/runs.dto';
import { DeclareFilesDto, DeclareFilesResponseDto } from '../storage/dto/storage.dto';
import {
  MediaDocumentDto,
  MediaDocumentQueryDto,
  MediaGridDto,
  MediaGridRequestDto,
  MediaKeysDto,
  MediaListDto,
  MediaListQueryDto,
} from './dto/media.dto';
import { MediaService } from './media.service';

@ApiTags('media')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  /** Declares content objects (size, SHA-256, content type) for media items; answers with upload plans for those not stored yet. */
  @Post('runs/:run/media/objects')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: DeclareFilesResponseDto })
  declareObjects(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: DeclareFilesDto) {
    return this.media.declareObjects(ctx, params.run, body.files);
  }

  /** The run's media keys with their types, counts and steps. */
  @Get('runs/:run/media/keys')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: MediaKeysDto })
  keys(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    return this.media.keys(ctx, params.run);
  }

  /** Items of one key in a step range, with short-lived URLs of their content and thumbnails. */
  @Get('runs/:run/media')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: MediaListDto })
  list(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: MediaListQueryDto) {
    return this.media.list(ctx, params.run, query);
  }

  /** The text of an HTML, SVG or figure item, which the web app renders only in a sandboxed frame. */
  @Get('runs/:run/media/document')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: MediaDocumentDto })
  document(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: MediaDocumentQueryDto) {
    return this.media.document(ctx, params.run, query);
  }

  /** Many runs × keys at a step in one query: each cell holds the items of the latest step at or before it. */
  @Post('media/grid')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: MediaGridDto })
  grid(@Ctx() ctx: RequestContext, @Body() body: MediaGridRequestDto) {
    return this.media.grid(ctx, body);
  }
}
