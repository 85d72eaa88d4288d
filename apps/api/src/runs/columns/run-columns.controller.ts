import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../../common/access/require-permission.decorator';
import { Ctx } from '../../common/context/ctx.decorator';
import type { RequestContext } from '../../common/context/request-context';
import { RunColumnsService } from './run-columns.service';
import { RunColumnListDto } from '../dto/run-columns.dto';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/columns')
export class RunColumnsController {
  constructor(private readonly columns: RunColumnsService) {}

  /** Every column the runs table can show, for the column picker. */
  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: RunColumnListDto })
  list(@Ctx() ctx: RequestContext) {
    return this.columns.list(ctx);
  }
}
