import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { sendExport } from './export/send-export';
import { GlobalPermission } from '@trackbase/contracts';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { ReportDataDto, ReportDataRequestDto } from './dto/reports.dto';
import { SharedReportsService } from './shared-reports.service';
import { SharedReportDto, TokenParamDto } from './dto/shared-reports.dto';

/** Share links: the token in the path is the only credential; no account, no session. */
@ApiTags('reports')
@Controller('shared/reports/:token')
export class SharedReportsController {
  constructor(private readonly shared: SharedReportsService) {}

  @Get()
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  @ApiOkResponse({ type: SharedReportDto })
  report(@Param() params: TokenParamDto) {
    return this.shared.report(params.token);
  }

  @Post('data')
  @HttpCode(200)
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  @ApiOkResponse({ type: ReportDataDto })
  data(@Param() params: TokenParamDto, @Body() body: ReportDataRequestDto, @Req() request: { id: string }) {
    const { version: _version, ...panel } = body;
    return this.shared.panelData(String(request.id), params.token, panel);
  }

  /** The link's published version as one self-contained HTML file. */
  @Get('export')
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  @ApiProduces('text/html')
  @Header('Cache-Control', 'no-store')
  async export(@Param() params: TokenParamDto, @Req() request: { id: string }, @Res({ passthrough: true }) res: Response) {
    return sendExport(res, await this.shared.exportHtml(String(request.id), params.token));
  }
}
