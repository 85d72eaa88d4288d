import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission, RequireSession } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { CreatedScimTokenDto, CreateScimTokenDto, ScimTokenDto, ScimTokenParamsDto } from './dto/scim.dto';
import { ScimTokensService } from './scim-tokens.service';

/** An organization's SCIM provisioning tokens: owners only, from a signed-in session (not an API key). */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller('orgs/:org/scim-tokens')
export class ScimTokensController {
  constructor(private readonly tokens: ScimTokensService) {}

  @Get()
  @RequirePermission(OrgPermission.ScimManage)
  @ApiOkResponse({ type: [ScimTokenDto] })
  list(@Ctx() ctx: RequestContext) {
    return this.tokens.list(ctx);
  }

  @Post()
  @RequirePermission(OrgPermission.ScimManage)
  @RequireSession()
  @ApiOkResponse({ type: CreatedScimTokenDto })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateScimTokenDto) {
    return this.tokens.create(ctx, body.name);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission(OrgPermission.ScimManage)
  @RequireSession()
  async revoke(@Ctx() ctx: RequestContext, @Param() params: ScimTokenParamsDto) {
    await this.tokens.revoke(ctx, params.id);
  }
}
