import { Injectable } from '@nestjs/common';
import type { SignupAccepted, SignupRequest, TokenPair } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { UserEntity } from '../users/user.entity';
import { hashPassword } from './password';
import { TokensService } from './tokens.service';

const SIGNUP_ACCEPTED = 'If this email had no account, it has one now: sign in with this email and password.';

@Injectable()
export class AuthService {
  constructor(private readonly tokens: TokensService) {}

  /**
   * Creates the account unless the email has one; the answer is the same either way, and so is the work (the
   * password is hashed first), so neither the response nor its timing tells who has an account. An existing
   * account is not touched. The caller signs in next.
   */
  async signup(ctx: RequestContext, input: SignupRequest): Promise<SignupAccepted> {
    const passwordHash = await hashPassword(input.password);
    // The unique index on lower(email) turns a taken email (or a race between two sign-ups) into no row.
    await ctx.em
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values({ email: input.email, name: input.name, kind: 'human', passwordHash })
      .orIgnore()
      .execute();
    return { status: 'accepted', message: SIGNUP_ACCEPTED };
  }

  login(ctx: RequestContext, user: UserEntity): Promise<TokenPair> {
    return this.tokens.startSession(ctx.em, user);
  }

  refresh(ctx: RequestContext, refreshToken: string): Promise<TokenPair> {
    return this.tokens.refresh(ctx.em, refreshToken);
  }

  async logout(ctx: RequestContext, refreshToken: string | undefined): Promise<void> {
    let ended: string | null = null;
    if (refreshToken) ended = await this.tokens.logout(ctx.em, refreshToken);
    else if (ctx.user.sessionId) {
      await this.tokens.revokeSession(ctx.em, ctx.user.sessionId, 'logout');
      ended = ctx.user.sessionId;
    }
    if (ended) {
      const sessionId = ended;
      ctx.afterCommit(() => this.tokens.sessionEnded(sessionId));
    }
  }
}
