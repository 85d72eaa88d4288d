import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GlobalPermission } from '@trackbase/contracts';
import { RequirePermission, RequireSession } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { IdParamDto } from '../common/validation/id-params';
import { ApiKeysService } from './api-keys.service';
import { UsersService } from './users.service';
import { UserDto, ApiKeyDto, CreatedApiKeyDto, CreateApiKeyDto, DeleteAccountDto } from './dto/users.dto';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get()
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: UserDto })
  me(@Ctx() ctx: RequestContext) {
    return this.users.me(ctx);
  }

  @Delete()
  @HttpCode(204)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  async deleteMe(@Ctx() ctx: RequestContext, @Body() body: DeleteAccountDto) {
    await this.users.deleteAccount(ctx, body);
  }

  @Get('api-keys')
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: [ApiKeyDto] })
  listKeys(@Ctx() ctx: RequestContext) {
    return this.apiKeys.list(ctx.em, ctx.user.userId);
  }

  @Post('api-keys')
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  @ApiOkResponse({ type: CreatedApiKeyDto })
  createKey(@Ctx() ctx: RequestContext, @Body() body: CreateApiKeyDto) {
    return this.users.createPersonalKey(ctx, body);
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  async revokeKey(@Ctx() ctx: RequestContext, @Param() params: IdParamDto) {
    await this.apiKeys.revoke(ctx.em, ctx.user.userId, params.id);
    ctx.afterCommit(() => this.apiKeys.revoked({ keyId: params.id }));
  }
}
