import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccountModule } from '../account/account.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BearerAuthService } from './bearer-auth.service';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SignInBackoffRepository } from './sign-in-backoff.repository';
import { LocalStrategy } from './strategies/local.strategy';
import { TokensService } from './tokens.service';

@Module({
  imports: [PassportModule, UsersModule, AccountModule],
  controllers: [AuthController, SessionsController],
  providers: [AuthService, TokensService, BearerAuthService, LocalStrategy, SignInBackoffRepository, SessionsRepository],
  exports: [TokensService, BearerAuthService],
})
export class AuthModule {}
