import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TwoFactorChallengeDto, TwoFactorLoginDto } from '../account/dto/account.dto';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { GlobalPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import type { UserEntity } from '../users/user.entity';
import { AuthService } from './auth.service';
import { LoginDto, RefreshDto, SignupAcceptedDto, SignupDto, TokenPairDto } from './dto/auth.dto';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { LogoutDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
@UseGuards(ThrottlerGuard)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('signup')
  @HttpCode(202)
  @RequirePermission(GlobalPermission.Public)
  @ApiAcceptedResponse({ type: SignupAcceptedDto })
  signup(@Ctx() ctx: RequestContext, @Body() body: SignupDto) {
    return this.auth.signup(ctx, body);
  }

  @Post('login')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Public)
  @UseGuards(LocalAuthGuard)
  @ApiOkResponse({ description: 'A token pair, or (two-factor accounts) a challenge for POST /auth/login/two-factor', type: TokenPairDto })
  @ApiExtraModels(TwoFactorChallengeDto)
  login(@Ctx() ctx: RequestContext, @Body() _body: LoginDto, @Req() request: { user: UserEntity }) {
    return this.auth.login(ctx, request.user);
  }

  @Post('login/two-factor')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Public)
  @ApiOkResponse({ type: TokenPairDto })
  loginTwoFactor(@Ctx() ctx: RequestContext, @Body() body: TwoFactorLoginDto) {
    return this.auth.loginTwoFactor(ctx, body.challengeToken, body.code);
  }

  @Post('refresh')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Public)
  @Throttle({ default: { limit: 600, ttl: 60_000 } })
  @ApiOkResponse({ type: TokenPairDto })
  refresh(@Ctx() ctx: RequestContext, @Body() body: RefreshDto) {
    return this.auth.refresh(ctx, body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @RequirePermission(GlobalPermission.Authenticated)
  @Throttle({ default: { limit: 600, ttl: 60_000 } })
  async logout(@Ctx() ctx: RequestContext, @Body() body: LogoutDto) {
    await this.auth.logout(ctx, body.refreshToken);
  }
}
