import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import { Strategy } from 'passport-local';
import type { DataSource } from 'typeorm';
import { UserEntity } from '../../users/user.entity';
import { invalidCredentials } from '../auth.errors';
import { burnPasswordCheck, verifyPassword } from '../password';

/** Email and password, for `POST /auth/login`. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super({ usernameField: 'email', passwordField: 'password', session: false });
  }

  async validate(email: string, password: string): Promise<UserEntity> {
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
