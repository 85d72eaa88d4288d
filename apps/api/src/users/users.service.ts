import { Injectable } from '@nestjs/common';
import type { CreateApiKeyRequest, CreatedApiKey, User } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { forbidden } from '../common/errors/app-error';
import { ApiKeysService } from './api-keys.service';
import { UserEntity } from './user.entity';
import { toUserDto } from './user.mapper';

@Injectable()
export class UsersService {
  constructor(private readonly apiKeys: ApiKeysService) {}

  async me(ctx: RequestContext): Promise<User> {
    return toUserDto(await ctx.em.findOneByOrFail(UserEntity, { id: ctx.user.userId }));
  }

  /** Personal keys act as the person. Service accounts get keys from their organization's admins. */
  async createPersonalKey(ctx: RequestContext, input: CreateApiKeyRequest): Promise<CreatedApiKey> {
    if (ctx.user.kind !== 'human') throw forbidden('service accounts cannot create their own keys');
    return this.apiKeys.create(ctx.em, ctx.user.userId, await this.apiKeys.scopeFor(ctx.user, input));
  }
}
