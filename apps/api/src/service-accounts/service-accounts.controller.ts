import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission } from '@trackbase/contracts';
import { RequirePermission, RequireSession } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { IdParamDto } from '../common/validation/id-params';
import { ServiceAccountsService } from './service-accounts.service';
import {
  ServiceAccountDto,
  CreatedServiceAccountDto,
  CreateServiceAccountDto,
  CreateApiKeyDto,
  ApiKeyDto,
  CreatedApiKeyDto,
  KeyParamsDto,
} from './dto/service-accounts.dto';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('orgs/:org/service-accounts')
export class ServiceAccountsController {
  constructor(private readonly accounts: ServiceAccountsService) {}

  @Get()
  @RequirePermission(OrgPermission.ServiceAccountsManage)
  @ApiOkResponse({ type: [ServiceAccountDto] })
  list(@Ctx() ctx: RequestContext) {
    return this.accounts.list(ctx);
  }

  @Post()
  @RequirePermission(OrgPermission.ServiceAccountsManage)
  @RequireSession()
  @ApiOkResponse({ type: CreatedServiceAccountDto })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateServiceAccountDto) {
    return this.accounts.create(ctx, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission(OrgPermission.ServiceAccountsManage)
  async delete(@Ctx() ctx: RequestContext, @Param() params: IdParamDto) {
    await this.accounts.delete(ctx, params.id);
  }

  @Get(':id/api-keys')
  @RequirePermission(OrgPermission.ServiceAccountsManage)
  @ApiOkResponse({ type: [ApiKeyDto] })
  listKeys(@Ctx() ctx: RequestContext, @Param() params: IdParamDto) {
    return this.accounts.listKeys(ctx, params.id);
  }

  @Post(':id/api-keys')
  @RequirePermission(OrgPermission.ServiceAccountsManage)
  @RequireSession()
  @ApiOkResponse({ type: CreatedApiKeyDto })
  createKey(@Ctx() ctx: RequestContext, @Param() params: IdParamDto, @Body() body: CreateApiKeyDto) {
    return this.accounts.createKey(ctx, params.id, body);
  }

  @Delete(':id/api-keys/:keyId')
  @HttpCode(204)
  @RequirePermission(OrgPermission.ServiceAccountsManage)
  @RequireSession()
  async revokeKey(@Ctx() ctx: RequestContext, @Param() params: KeyParamsDto) {
    await this.accounts.revokeKey(ctx, params.id, params.keyId);
  }
}
