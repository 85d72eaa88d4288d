import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import { AccessCached } from '../common/access/access-cache';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import {
  BatchAckDto,
  CreateRunDto,
  ListRunsQueryDto,
  RunBatchDto,
  RunDetailDto,
  RunDto,
  RunListDto,
  RunParamDto,
  UpdateRunDto,
} from './dto/runs.dto';
import { BatchService } from './ingest/batch.service';
import { RunsQueryService } from './runs-query.service';
import { RunsService } from './runs.service';
import { Metrics } from '../metrics/metrics';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly batches: BatchService,
    private readonly query: RunsQueryService,
    private readonly metrics: Metrics,
  ) {}

  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: RunListDto })
  list(@Ctx() ctx: RequestContext, @Query() query: ListRunsQueryDto) {
    return this.query.list(ctx, query);
  }

  /** 201 for a new run; 200 with the existing run when `externalId` matched one (workers joining a job). */
  @Post()
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: RunDto })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateRunDto, @Res({ passthrough: true }) response: Response) {
    const { run, created } = await this.runs.create(ctx, body);
    response.status(created ? 201 : 200);
    return run;
  }

  @Get(':run')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: RunDetailDto })
  get(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    return this.runs.get(ctx, params.run);
  }

  @Patch(':run')
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: RunDto })
  update(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: UpdateRunDto) {
    return this.runs.update(ctx, params.run, body);
  }

  @Delete(':run')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.RunsWrite)
  async delete(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    await this.runs.delete(ctx, params.run);
  }

  /**
   * Acknowledged only after commit; a retried (streamId, seq) is acknowledged with `duplicate: true` and not applied again.
   * Served by the lean batch route (`ingest/batch-route.ts`), which authenticates, authorizes and validates as declared
   * here and calls this method without walking the router or Nest's pipeline.
   */
  @Post(':run/batches')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: BatchAckDto })
  @NoTransaction()
  @AccessCached()
  async ingest(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: RunBatchDto) {
    const started = performance.now();
    // Resolves once the batch's (group) transaction has committed.
    const ack = await this.batches.submit(ctx, params.run, body);
    this.metrics.recordBatch(ack, (performance.now() - started) / 1000);
    return ack;
  }

  @Post(':run/heartbeat')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.RunsWrite)
  @AccessCached()
  heartbeat(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    return this.runs.heartbeat(ctx, params.run);
  }
}
