import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import { RequirePermission } from '../../common/access/require-permission.decorator';
import { Ctx } from '../../common/context/ctx.decorator';
import type { RequestContext } from '../../common/context/request-context';
import { ProjectExport } from './project-export.service';
import { ExportQueryDto } from '../dto/export.dto';

@ApiTags('export')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/export')
export class ExportController {
  constructor(private readonly exporter: ProjectExport) {}

  /** The project's runs, params, series and text as one long-format Parquet file (docs/export-format.md), streamed. */
  @Get('records.parquet')
  @RequirePermission(ProjectPermission.Read)
  @ApiOperation({ summary: 'Stream the records of the project export as Parquet' })
  @ApiProduces('application/vnd.apache.parquet')
  async records(@Ctx() ctx: RequestContext, @Query() query: ExportQueryDto, @Res() response: Response): Promise<void> {
    await this.exporter.parquet(ctx, query.filter, response);
  }
}
