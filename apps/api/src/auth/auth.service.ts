import { Injectable } from '@nestjs/common';
import type { SignupRequest, TokenPair } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { UserEntity } from '../users/user.entity';
import { emailTaken } from './auth.errors';
import { hashPassword } from './password';
import { TokensService } from './tokens.service';

@Injectable()
export class AuthService {
  constructor(private readonly tokens: TokensService) {}

  async signup(ctx: RequestContext, input: SignupRequest): Promise<TokenPair> {
    const exists = await ctx.em
      .createQueryBuilder(UserEntity, 'u')
      .where('lower(u.email) = lower(:email)', { email: input.email })
      .getExists();
    if (exists) throw emailTaken();
    const passwordHash = await hashPassword(input.password);
    // The unique index on lower(email) settles a race between two sign-ups.
    const inserted = await ctx.em
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values({ email: input.email, name: input.name, kind: 'human', passwordHash })
      .orIgnore()
      .returning('*')
      .execute();
    if (!inserted.raw.length) throw emailTaken();
    const user = await ctx.em.findOneByOrFail(UserEntity, { id: inserted.raw[0].id });
    return this.tokens.startSession(ctx.em, user);
  }

  login(ctx: RequestContext, user: UserEntity): Promise<TokenPair> {
    return this.tokens.startSession(ctx.em, user);
  }

  refresh(ctx: RequestContext, refreshToken: string): Promise<TokenPair> {
    return this.tokens.refresh(ctx.em, refreshToken);
  }

  logout(ctx: RequestContext, refreshToken: string | undefined): Promise<void> {
    if (refreshToken) return this.tokens.logout(ctx.em, refreshToken);
    if (ctx.user.sessionId) return this.tokens.revokeSession(ctx.em, ctx.user.sessionId, 'logout');
    return Promise.resolve();
  }
}
