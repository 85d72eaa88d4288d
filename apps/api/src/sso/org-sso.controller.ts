import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission, RequireSession } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { SsoConfigService } from './sso-config.service';
import { SsoConfigDto, PutSsoConfigDto } from './dto/org-sso.dto';

/** An organization's single sign-on settings: owners only, from a signed-in session (not an API key). */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller('orgs/:org/sso')
export class OrgSsoController {
  constructor(private readonly sso: SsoConfigService) {}

  @Get()
  @RequirePermission(OrgPermission.SsoManage)
  @ApiOkResponse({ type: SsoConfigDto })
  get(@Ctx() ctx: RequestContext) {
    return this.sso.get(ctx);
  }

  @Put()
  @RequirePermission(OrgPermission.SsoManage)
  @RequireSession()
  @ApiOkResponse({ type: SsoConfigDto })
  put(@Ctx() ctx: RequestContext, @Body() body: PutSsoConfigDto) {
    return this.sso.put(ctx, body);
  }

  @Delete()
  @HttpCode(204)
  @RequirePermission(OrgPermission.SsoManage)
  @RequireSession()
  async delete(@Ctx() ctx: RequestContext) {
    await this.sso.delete(ctx);
  }
}
