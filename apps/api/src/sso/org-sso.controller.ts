import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission, RequireSession } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { SsoConfigService } from './sso-config.service';
import { SsoDomainsService } from './sso-domains.service';
import { AddSsoDomainDto, SsoConfigDto, PutSsoConfigDto, SsoDomainDto, SsoDomainParamDto } from './dto/org-sso.dto';

/** An organization's single sign-on settings and email domains: owners only, changed from a signed-in session (not an API key). */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller('orgs/:org/sso')
export class OrgSsoController {
  constructor(
    private readonly sso: SsoConfigService,
    private readonly domains: SsoDomainsService,
  ) {}

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

  @Get('domains')
  @RequirePermission(OrgPermission.SsoManage)
  @ApiOkResponse({ type: [SsoDomainDto] })
  listDomains(@Ctx() ctx: RequestContext) {
    return this.domains.list(ctx);
  }

  /** Claims a domain; publish the TXT record it answers, then verify. */
  @Post('domains')
  @RequirePermission(OrgPermission.SsoManage)
  @RequireSession()
  @ApiCreatedResponse({ type: SsoDomainDto })
  addDomain(@Ctx() ctx: RequestContext, @Body() body: AddSsoDomainDto) {
    return this.domains.add(ctx, body.domain);
  }

  /** Looks the domain's TXT record up now; verified, the domain routes its emails' sign-ins to this organization. */
  @Post('domains/:domain/verify')
  @HttpCode(200)
  @RequirePermission(OrgPermission.SsoManage)
  @RequireSession()
  @ApiOkResponse({ type: SsoDomainDto })
  verifyDomain(@Ctx() ctx: RequestContext, @Param() params: SsoDomainParamDto) {
    return this.domains.verify(ctx, params.domain);
  }

  @Delete('domains/:domain')
  @HttpCode(204)
  @RequirePermission(OrgPermission.SsoManage)
  @RequireSession()
  async removeDomain(@Ctx() ctx: RequestContext, @Param() params: SsoDomainParamDto) {
    await this.domains.remove(ctx, params.domain);
  }
}
