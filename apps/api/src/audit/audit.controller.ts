import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { AuditService } from './audit.service';
import { AuditQueryDto } from './dto/audit.dto';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('orgs/:org/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermission(OrgPermission.AuditRead)
  list(@Ctx() ctx: RequestContext, @Query() query: AuditQueryDto) {
    return this.audit.list(ctx, query);
  }
}
