import { Injectable } from '@nestjs/common';
import type { SignupAccepted, SignupRequest, TokenPair, TwoFactorChallenge } from '@trackbase/contracts';
import { AccountEmailService } from '../account/account-email.service';
import { TwoFactorService } from '../account/two-factor.service';
import type { RequestContext } from '../common/context/request-context';
import { UserEntity } from '../users/user.entity';
import { hashPassword } from './password';
import { TokensService } from './tokens.service';

const SIGNUP_ACCEPTED = 'If this email had no account, it has one now: sign in with this email and password.';

@Injectable()
export class AuthService {
  constructor(
    private readonly tokens: TokensService,
    private readonly accountEmails: AccountEmailService,
    private readonly twoFactor: TwoFactorService,
  ) {}

  /**
   * Creates the account unless the email has one; the answer is the same either way, and so is the work (the
   * password is hashed first), so neither the response nor its timing tells who has an account. An existing
   * account is not touched. The caller signs in next.
   */
  async signup(ctx: RequestContext, input: SignupRequest): Promise<SignupAccepted> {
    const passwordHash = await hashPassword(input.password);
    // The unique index on lower(email) turns a taken email (or a race between two sign-ups) into no row.
    const inserted = await ctx.em
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values({ email: input.email, name: input.name, kind: 'human', passwordHash })
      .orIgnore()
      .returning(['id'])
      .execute();
    const created = (inserted.raw as Array<{ id: string }>)[0]?.id ?? null;
    // Either way an email goes out (a verification link, or "you already have an account"): the same work, unseen.
    await this.accountEmails.afterSignup(ctx, input.email, created);
    return { status: 'accepted', message: SIGNUP_ACCEPTED };
  }

  /** After the password: tokens, or the second step when the account has two-factor on. */
  async login(ctx: RequestContext, user: UserEntity): Promise<TokenPair | TwoFactorChallenge> {
    return (await this.twoFactor.challengeFor(ctx.em, user.id)) ?? this.tokens.startSession(ctx.em, user);
  }

  /** The second step: a code for the challenge of a correct password; the session starts now. */
  async loginTwoFactor(ctx: RequestContext, challengeToken: string, code: string): Promise<TokenPair> {
    const userId = await this.twoFactor.completeChallenge(ctx.em, challengeToken, code);
    return this.tokens.startSession(ctx.em, await ctx.em.findOneByOrFail(UserEntity, { id: userId }));
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
