import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import {
  ProjectSeriesQueryDto,
  RunParamDto,
  RunSeriesQueryDto,
  SeriesDataDto,
  SeriesFileParamDto,
  SeriesQueryDto,
  SeriesQueryResponseDto,
} from './dto/runs.dto';
import { RunsRepository } from './runs.repository';
import { SeriesExport } from './series/series-export';
import { SeriesService } from './series/series.service';
import { SeriesQueryService } from './series/series-query.service';
import { Metrics } from '../metrics/metrics';
import { notFound } from '../common/errors/app-error';
import { CsvQueryDto } from './dto/series.dto';

@ApiTags('series')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project')
export class SeriesController {
  constructor(
    private readonly runs: RunsRepository,
    private readonly series: SeriesService,
    private readonly seriesQuery: SeriesQueryService,
    private readonly exporter: SeriesExport,
    private readonly metrics: Metrics,
  ) {}

  @Get('runs/:run/series')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: [SeriesDataDto] })
  async runSeries(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: RunSeriesQueryDto) {
    const run = await this.runs.find(ctx, params.run);
    const timer = this.metrics.seriesReadDuration.startTimer();
    return this.series.read(ctx, { ...query, runIds: [run.id], names: query.names ?? null, search: query.search ?? null }).finally(timer);
  }

  /** Series of many runs in one request, for comparison charts. */
  @Get('series')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: [SeriesDataDto] })
  async projectSeries(@Ctx() ctx: RequestContext, @Query() query: ProjectSeriesQueryDto) {
    const resolved = await this.runs.resolveRefs(ctx, query.runs);
    const missing = query.runs.find((ref) => !resolved.has(ref));
    if (missing !== undefined) throw notFound('run');
    const runIds = [...new Set(resolved.values())];
    const timer = this.metrics.seriesReadDuration.startTimer();
    return this.series.read(ctx, { ...query, runIds, names: query.names ?? null, search: query.search ?? null }).finally(timer);
  }

  /** Many series of many runs, packed as columns, downsampled for display; with a cursor, only newer points. */
  @Post('series/query')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.Read)
  @ApiOperation({ summary: 'Read many series of many runs (charts); incremental with a cursor' })
  @ApiOkResponse({ type: SeriesQueryResponseDto })
  async querySeries(@Ctx() ctx: RequestContext, @Body() body: SeriesQueryDto) {
    const timer = this.metrics.seriesReadDuration.startTimer();
    return this.seriesQuery.read(ctx, body).finally(timer);
  }

  /** Every point of one series as CSV, streamed. */
  @Get('runs/:run/series/:file')
  @RequirePermission(ProjectPermission.Read)
  async csv(@Ctx() ctx: RequestContext, @Param() params: SeriesFileParamDto, @Query() query: CsvQueryDto, @Res() response: Response) {
    const run = await this.runs.find(ctx, params.run);
    await this.exporter.csv(ctx, run.id, query.kind, params.file.slice(0, -'.csv'.length), response);
  }
}
