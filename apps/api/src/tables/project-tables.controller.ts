import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { CompareTablesDto, CompareTablesQueryDto } from './dto/tables.dto';
import { RunTablesService } from './run-tables.service';

@ApiTags('tables')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/tables')
export class ProjectTablesController {
  constructor(private readonly tables: RunTablesService) {}

  /** The same table key of two to four runs side by side, joined on a column. */
  @Get('compare')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: CompareTablesDto })
  compare(@Ctx() ctx: RequestContext, @Query() query: CompareTablesQueryDto) {
    return this.tables.compare(ctx, query);
  }
}
