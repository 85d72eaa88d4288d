import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
}
