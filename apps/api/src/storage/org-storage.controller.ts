import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { SetQuotaDto, StorageUsageDto } from './dto/storage.dto';
import { QuotaService } from './quota.service';

@ApiTags('orgs')
@ApiBearerAuth()
@Controller('orgs/:org/storage')
export class OrgStorageController {
  constructor(private readonly quota: QuotaService) {}

  @Get()
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: StorageUsageDto })
  usage(@Ctx() ctx: RequestContext) {
    return this.quota.usage(ctx);
  }

  /** Owners and admins set the quota; `null` removes it. Existing files stay; new uploads beyond it are refused. */
  @Put()
  @RequirePermission(OrgPermission.Update)
  @ApiOkResponse({ type: StorageUsageDto })
  setQuota(@Ctx() ctx: RequestContext, @Body() body: SetQuotaDto) {
    return this.quota.setQuota(ctx, body.quotaBytes);
  }
}
