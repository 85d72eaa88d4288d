import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { ExportArchiveQueryDto } from './dto/export-archive.dto';
import { ExportArchive } from './export-archive.service';

@ApiTags('export')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/export')
export class ExportArchiveController {
  constructor(private readonly archive: ExportArchive) {}

  /** The whole project export (records, run files, artifact versions with manifests) as one tar, streamed. */
  @Get('archive.tar')
  @RequirePermission(ProjectPermission.Read)
  @ApiOperation({ summary: 'Stream the project export (docs/export-format.md) as a tar' })
  @ApiProduces('application/x-tar')
  async download(@Ctx() ctx: RequestContext, @Query() query: ExportArchiveQueryDto, @Res() response: Response): Promise<void> {
    await this.archive.tar(ctx, { filter: query.filter, files: query.files !== 'false', artifacts: query.artifacts !== 'false' }, response);
  }
}
