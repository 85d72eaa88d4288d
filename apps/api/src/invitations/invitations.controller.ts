import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GlobalPermission, OrgPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { IdParamDto } from '../common/validation/id-params';
import { InvitationsService } from './invitations.service';
import { CreateInvitationDto, InvitationDto, CreatedInvitationDto, OrgDto, TokenParamDto } from './dto/invitations.dto';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller()
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get('orgs/:org/invitations')
  @RequirePermission(OrgPermission.InvitationsManage)
  @ApiOkResponse({ type: [InvitationDto] })
  list(@Ctx() ctx: RequestContext) {
    return this.invitations.list(ctx);
  }

  @Post('orgs/:org/invitations')
  @RequirePermission(OrgPermission.InvitationsManage)
  @ApiOkResponse({ type: CreatedInvitationDto })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateInvitationDto) {
    return this.invitations.create(ctx, body);
  }

  @Delete('orgs/:org/invitations/:id')
  @HttpCode(204)
  @RequirePermission(OrgPermission.InvitationsManage)
  async revoke(@Ctx() ctx: RequestContext, @Param() params: IdParamDto) {
    await this.invitations.revoke(ctx, params.id);
  }

  @Post('invitations/:token/accept')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: OrgDto })
  accept(@Ctx() ctx: RequestContext, @Param() params: TokenParamDto) {
    return this.invitations.accept(ctx, params.token);
  }
}
