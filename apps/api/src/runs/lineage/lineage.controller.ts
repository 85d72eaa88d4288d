import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../../common/access/require-permission.decorator';
import { Ctx } from '../../common/context/ctx.decorator';
import type { RequestContext } from '../../common/context/request-context';
import { LineageGraphDto, LineageQueryDto } from '../dto/runs.dto';
import { LineageService } from './lineage.service';

/**
 * The lineage graph of a project: datasets, models and artifact versions with the runs that produced and
 * consumed them, walked from a run or from data. The edges are written by run ingestion and artifact
 * versions (LineageRepository); this controller only reads them.
 */
@ApiTags('lineage')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/lineage')
export class LineageController {
  constructor(private readonly lineage: LineageService) {}

  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOperation({ summary: 'The lineage graph around a run, or around a dataset, model or artifact version' })
  @ApiOkResponse({ type: LineageGraphDto })
  graph(@Ctx() ctx: RequestContext, @Query() query: LineageQueryDto) {
    return this.lineage.graph(ctx, query, query.direction, query.depth);
  }
}
