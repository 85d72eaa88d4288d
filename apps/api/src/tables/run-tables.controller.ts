import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { RunParamDto } from '../runs/dto/runs.dto';
import {
  DeclareTablesDto,
  DeclareTablesResponseDto,
  TableListDto,
  TableRowsDto,
  TableRowsQueryDto,
  TableStatsDto,
  TableStatsQueryDto,
} from './dto/tables.dto';
import { RunTablesService } from './run-tables.service';

@ApiTags('tables')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/runs/:run/tables')
export class RunTablesController {
  constructor(private readonly tables: RunTablesService) {}

  /** Every table the run logged, by key and step. */
  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: TableListDto })
  list(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    return this.tables.list(ctx, params.run);
  }

  /**
   * Declares tables (key, step, size and SHA-256 of each document): each is answered
   * `ready`, `upload` (with the plan to send its document; declare it again once
   * completed) or `rejected` with its error. When every table is rejected the answer
   * is that error (400, or 413 for a table too large).
   */
  @Post()
  @HttpCode(200)
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: DeclareTablesResponseDto })
  declare(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: DeclareTablesDto) {
    return this.tables.declare(ctx, params.run, body.tables);
  }

  /** A page of the table `key` (latest step unless `step`), filtered with the filter language and sorted by any columns. */
  @Get('rows')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: TableRowsDto })
  rows(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: TableRowsQueryDto) {
    return this.tables.rows(ctx, params.run, query.key, query);
  }

  /** Column statistics of the table `key` over the rows matching `filter`. */
  @Get('stats')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: TableStatsDto })
  stats(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: TableStatsQueryDto) {
    return this.tables.stats(ctx, params.run, query.key, query);
  }
}
