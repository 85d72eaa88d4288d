import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import { Strategy } from 'passport-local';
import type { DataSource } from 'typeorm';
import { AuthErrorCode } from '@trackbase/contracts';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { UserEntity } from '../../users/user.entity';
import { invalidCredentials, signInBackoff } from '../auth.errors';
import { burnPasswordCheck, verifyPassword } from '../password';
import { emailKey, SignInBackoffRepository } from '../sign-in-backoff.repository';

/**
 * Email and password, for `POST /auth/login`. Besides the per-address rate limit, each email has an
 * allowance of wrong passwords: past it, its sign-ins pause (429 with Retry-After) from every
 * address, so rotating addresses does not buy more guesses. Unknown emails pause exactly alike.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly backoff: SignInBackoffRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super({ usernameField: 'email', passwordField: 'password', session: false });
  }

  async validate(email: string, password: string): Promise<UserEntity> {
    const key = emailKey(email);
    const paused = await this.backoff.pausedFor(key);
    if (paused > 0) throw signInBackoff(paused);
    try {
      const user = await this.check(email, password);
      await this.backoff.clear(key);
      return user;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== AuthErrorCode.InvalidCredentials) throw error;
      const { LOGIN_FAILURES_PER_ACCOUNT: limit, LOGIN_BACKOFF_SECONDS: seconds } = this.config;
      const started = await this.backoff.recordFailure(key, limit, seconds, seconds);
      throw started > 0 ? signInBackoff(started) : error;
    }
  }

  private async check(email: string, password: string): Promise<UserEntity> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email) AND u.kind = :kind', { email: email.trim(), kind: 'human' })
      .getOne();
    if (!user?.passwordHash) {
      await burnPasswordCheck(password);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(user.passwordHash, password))) throw invalidCredentials();
    return user;
  }
}
