import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import {
  CompleteUploadsDto,
  CompleteUploadsResponseDto,
  PartUrlsDto,
  PartUrlsResponseDto,
  ReportPartDto,
  UploadParamDto,
  UploadStatusDto,
} from './dto/storage.dto';
import { UploadCompletionService } from './upload-completion.service';
import { UploadsService } from './uploads.service';

/**
 * Uploads in progress, whatever they are for (run files, artifact versions).
 * Multipart: ask for part URLs, PUT each part to its URL, report it, complete.
 */
@ApiTags('files')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/uploads')
export class UploadsController {
  constructor(
    private readonly uploads: UploadsService,
    private readonly completion: UploadCompletionService,
  ) {}

  /** Completes many uploads at once (a directory of small files); each is answered on its own. */
  @Post('complete')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: CompleteUploadsResponseDto })
  completeMany(@Ctx() ctx: RequestContext, @Body() body: CompleteUploadsDto) {
    return this.completion.completeMany(ctx, body.uploads);
  }

  /** Which parts are stored: where an interrupted upload resumes. */
  @Get(':upload')
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: UploadStatusDto })
  status(@Ctx() ctx: RequestContext, @Param() params: UploadParamDto) {
    return this.uploads.status(ctx, params.upload);
  }

  /** Presigned PUT URLs for parts; each is signed for its part's MD5, so a store that checks it refuses corrupted bytes. */
  @Post(':upload/part-urls')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: PartUrlsResponseDto })
  partUrls(@Ctx() ctx: RequestContext, @Param() params: UploadParamDto, @Body() body: PartUrlsDto) {
    return this.uploads.partUrls(ctx, params.upload, body.parts);
  }

  /** Records a stored part; refused (400 part_checksum_mismatch) when what arrived is not what was sent. */
  @Post(':upload/parts')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: UploadStatusDto })
  reportPart(@Ctx() ctx: RequestContext, @Param() params: UploadParamDto, @Body() body: ReportPartDto) {
    return this.uploads.reportPart(ctx, params.upload, body);
  }

  /** Verifies size and SHA-256 of what was stored and makes the file available; 400 checksum_mismatch resets the upload. */
  @Post(':upload/complete')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: UploadStatusDto })
  complete(@Ctx() ctx: RequestContext, @Param() params: UploadParamDto) {
    return this.completion.complete(ctx, params.upload);
  }
}
