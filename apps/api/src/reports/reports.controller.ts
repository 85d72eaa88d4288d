import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { ReportsService } from './reports.service';
import {
  CreateReportDto,
  UpdateReportDto,
  ReportDto,
  ReportListDto,
  ReportVersionDto,
  ReportHistoryDto,
  ReportDataRequestDto,
  ReportDataDto,
  MemberListDto,
  SetMemberDto,
  CreateLinkDto,
  CreatedLinkDto,
  LinkListDto,
  ReportParamDto,
  VersionParamDto,
  UserParamDto,
  LinkParamDto,
  ListQueryDto,
  ExportQueryDto,
} from './dto/reports.dto';
import { sendExport } from './export/send-export';

/**
 * Reports of an organization. Every route needs only membership of the
 * organization; the service checks each report against the projects it draws
 * from and its named viewers and editors (404 for whoever may not read it).
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('orgs/:org/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportListDto })
  list(@Ctx() ctx: RequestContext, @Query() query: ListQueryDto) {
    return this.reports.list(ctx, query.project);
  }

  @Post()
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportDto })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateReportDto) {
    return this.reports.create(ctx, body.title, body.blocks);
  }

  @Get(':report')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportDto })
  get(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto) {
    return this.reports.get(ctx, params.report);
  }

  @Patch(':report')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportDto })
  update(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto, @Body() body: UpdateReportDto) {
    return this.reports.update(ctx, params.report, body);
  }

  @Delete(':report')
  @HttpCode(204)
  @RequirePermission(OrgPermission.Read)
  async delete(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto) {
    await this.reports.delete(ctx, params.report);
  }

  /** Snapshots the draft as the next version; frozen panels keep their runs and steps as of now. */
  @Post(':report/publish')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportVersionDto })
  publish(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto) {
    return this.reports.publish(ctx, params.report);
  }

  @Get(':report/versions')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportHistoryDto })
  history(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto) {
    return this.reports.history(ctx, params.report);
  }

  @Get(':report/versions/:version')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportVersionDto })
  version(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto, @Param() version: VersionParamDto) {
    return this.reports.version(ctx, params.report, version.version);
  }

  /** The data of one panel: only its run set's runs and its metrics. */
  @Post(':report/data')
  @HttpCode(200)
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: ReportDataDto })
  data(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto, @Body() body: ReportDataRequestDto) {
    return this.reports.panelData(ctx, params.report, body);
  }

  /** The report as one self-contained HTML file (charts as inline SVG, images as data URIs, no script, no request). */
  @Get(':report/export')
  @RequirePermission(OrgPermission.Read)
  @ApiProduces('text/html')
  @Header('Cache-Control', 'no-store')
  async export(
    @Ctx() ctx: RequestContext,
    @Param() params: ReportParamDto,
    @Query() query: ExportQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendExport(res, await this.reports.exportHtml(ctx, params.report, query.version));
  }

  @Get(':report/members')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: MemberListDto })
  members(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto) {
    return this.reports.members(ctx, params.report);
  }

  @Put(':report/members/:user')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: MemberListDto })
  setMember(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto, @Param() user: UserParamDto, @Body() body: SetMemberDto) {
    return this.reports.setMember(ctx, params.report, user.user, body.role);
  }

  @Delete(':report/members/:user')
  @HttpCode(204)
  @RequirePermission(OrgPermission.Read)
  async removeMember(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto, @Param() user: UserParamDto) {
    await this.reports.removeMember(ctx, params.report, user.user);
  }

  @Get(':report/share-links')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: LinkListDto })
  links(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto) {
    return this.reports.links(ctx, params.report);
  }

  /** A read-only link to the published report; the token is in this answer only. */
  @Post(':report/share-links')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: CreatedLinkDto })
  createLink(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto, @Body() body: CreateLinkDto) {
    return this.reports.createLink(ctx, params.report, body);
  }

  @Delete(':report/share-links/:link')
  @HttpCode(204)
  @RequirePermission(OrgPermission.Read)
  async revokeLink(@Ctx() ctx: RequestContext, @Param() params: ReportParamDto, @Param() link: LinkParamDto) {
    await this.reports.revokeLink(ctx, params.report, link.link);
  }
}
