import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { IdParamDto } from '../common/validation/id-params';
import {
  CommentDto,
  CommentThreadDto,
  CreateReportCommentDto,
  ReportCommentParamDto,
  ReportCommentsQueryDto,
  UpdateCommentDto,
} from './dto/comments.dto';
import { ReportCommentsService } from './report-comments.service';

/**
 * Comments on a report and its blocks. Every route needs only membership of the organization; the service checks
 * the report as reports do (404 for whoever may not read it), authorship for edits, and editors for deletions.
 */
@ApiTags('comments')
@ApiBearerAuth()
@Controller('orgs/:org/reports/:report/comments')
export class ReportCommentsController {
  constructor(private readonly comments: ReportCommentsService) {}

  @Get()
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: [CommentThreadDto] })
  threads(@Ctx() ctx: RequestContext, @Param() params: ReportCommentParamDto, @Query() query: ReportCommentsQueryDto) {
    return this.comments.list(ctx, params.report, query.block ?? null);
  }

  @Post()
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: CommentDto })
  create(@Ctx() ctx: RequestContext, @Param() params: ReportCommentParamDto, @Body() body: CreateReportCommentDto) {
    return this.comments.create(ctx, params.report, body);
  }

  @Patch(':id')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: CommentDto })
  edit(@Ctx() ctx: RequestContext, @Param() params: ReportCommentParamDto, @Param() id: IdParamDto, @Body() body: UpdateCommentDto) {
    return this.comments.update(ctx, params.report, id.id, body.body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission(OrgPermission.Read)
  async delete(@Ctx() ctx: RequestContext, @Param() params: ReportCommentParamDto, @Param() id: IdParamDto) {
    await this.comments.delete(ctx, params.report, id.id);
  }
}
