import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GlobalPermission, OrgPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { UserIdParamDto } from '../common/validation/id-params';
import { MembersService } from './members.service';
import { OrgsService } from './orgs.service';
import { OrgDto, OrgMemberDto, CreateOrgDto, UpdateOrgDto, UpdateOrgMemberDto } from './dto/orgs.dto';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('orgs')
export class OrgsController {
  constructor(
    private readonly orgs: OrgsService,
    private readonly members: MembersService,
  ) {}

  @Get()
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: [OrgDto] })
  list(@Ctx() ctx: RequestContext) {
    return this.orgs.listMine(ctx);
  }

  @Post()
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: OrgDto })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateOrgDto) {
    return this.orgs.create(ctx, body);
  }

  @Get(':org')
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: OrgDto })
  get(@Ctx() ctx: RequestContext) {
    return this.orgs.get(ctx);
  }

  @Patch(':org')
  @RequirePermission(OrgPermission.Update)
  @ApiOkResponse({ type: OrgDto })
  update(@Ctx() ctx: RequestContext, @Body() body: UpdateOrgDto) {
    return this.orgs.update(ctx, body);
  }

  @Delete(':org')
  @HttpCode(204)
  @RequirePermission(OrgPermission.Delete)
  async delete(@Ctx() ctx: RequestContext) {
    await this.orgs.delete(ctx);
  }

  @Get(':org/members')
  @RequirePermission(OrgPermission.MembersRead)
  @ApiOkResponse({ type: [OrgMemberDto] })
  listMembers(@Ctx() ctx: RequestContext) {
    return this.members.list(ctx);
  }

  @Patch(':org/members/:userId')
  @RequirePermission(OrgPermission.MembersManage)
  @ApiOkResponse({ type: OrgMemberDto })
  changeRole(@Ctx() ctx: RequestContext, @Param() params: UserIdParamDto, @Body() body: UpdateOrgMemberDto) {
    return this.members.changeRole(ctx, params.userId, body.role);
  }

  /** Members may remove themselves; the service checks management rights for anyone else. */
  @Delete(':org/members/:userId')
  @HttpCode(204)
  @RequirePermission(OrgPermission.Read)
  async removeMember(@Ctx() ctx: RequestContext, @Param() params: UserIdParamDto) {
    await this.members.remove(ctx, params.userId);
  }
}
