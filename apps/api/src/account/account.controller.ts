import { Body, Controller, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { UseGuards } from '@nestjs/common';
import { GlobalPermission, OrgPermission } from '@trackbase/contracts';
import { RequirePermission, RequireSession } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { AccountEmailService } from './account-email.service';
import { AccountRepository } from './account.repository';
import {
  AcceptedDto,
  AccountSecurityDto,
  EmailPreferencesDto,
  OrgSecurityDto,
  PasswordResetDto,
  PasswordResetRequestDto,
  RecoveryCodesDto,
  TwoFactorCodeDto,
  TwoFactorEnrolmentDto,
  UpdateEmailPreferencesDto,
  VerifyEmailDto,
} from './dto/account.dto';
import { TwoFactorService } from './two-factor.service';
import { AccessEvents } from '../common/access/access-events';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { twoFactorRequired } from './account.errors';

/** Email verification and password reset (public, throttled like sign-in). */
@ApiTags('auth')
@Controller('auth')
@UseGuards(ThrottlerGuard)
export class AccountAuthController {
  constructor(private readonly emails: AccountEmailService) {}

  @Post('verify-email')
  @HttpCode(204)
  @RequirePermission(GlobalPermission.Public)
  async verifyEmail(@Ctx() ctx: RequestContext, @Body() body: VerifyEmailDto): Promise<void> {
    await this.emails.verify(ctx.em, body.token);
  }

  @Post('password-reset/request')
  @HttpCode(202)
  @RequirePermission(GlobalPermission.Public)
  @ApiAcceptedResponse({ type: AcceptedDto })
  requestReset(@Ctx() ctx: RequestContext, @Body() body: PasswordResetRequestDto) {
    return this.emails.requestReset(ctx, body);
  }

  @Post('password-reset')
  @HttpCode(204)
  @RequirePermission(GlobalPermission.Public)
  async reset(@Ctx() ctx: RequestContext, @Body() body: PasswordResetDto): Promise<void> {
    await this.emails.reset(ctx, body);
  }
}

/** The caller's account security: verification, two-factor, email preferences (a person's business: keys refused). */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class AccountController {
  constructor(
    private readonly emails: AccountEmailService,
    private readonly twoFactor: TwoFactorService,
    private readonly repository: AccountRepository,
  ) {}

  @Get('security')
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: AccountSecurityDto })
  security(@Ctx() ctx: RequestContext) {
    return this.twoFactor.security(ctx);
  }

  @Post('verification-email')
  @HttpCode(202)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  @Throttle({ default: { limit: 5, ttl: 3_600_000 } })
  @UseGuards(ThrottlerGuard)
  @ApiAcceptedResponse({ type: AcceptedDto })
  resendVerification(@Ctx() ctx: RequestContext) {
    return this.emails.resendVerification(ctx);
  }

  @Post('two-factor/enrol')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  @ApiOkResponse({ type: TwoFactorEnrolmentDto })
  enrol(@Ctx() ctx: RequestContext) {
    return this.twoFactor.enrol(ctx);
  }

  @Post('two-factor/confirm')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  @ApiOkResponse({ type: RecoveryCodesDto })
  confirm(@Ctx() ctx: RequestContext, @Body() body: TwoFactorCodeDto) {
    return this.twoFactor.confirm(ctx, body.code);
  }

  @Post('two-factor/disable')
  @HttpCode(204)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  async disable(@Ctx() ctx: RequestContext, @Body() body: TwoFactorCodeDto): Promise<void> {
    await this.twoFactor.disable(ctx, body.code);
  }

  @Post('two-factor/recovery-codes')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  @ApiOkResponse({ type: RecoveryCodesDto })
  regenerate(@Ctx() ctx: RequestContext, @Body() body: TwoFactorCodeDto) {
    return this.twoFactor.regenerateRecoveryCodes(ctx, body.code);
  }

  @Get('email-preferences')
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: EmailPreferencesDto })
  preferences(@Ctx() ctx: RequestContext) {
    return this.repository.preferences(ctx.em, ctx.user.userId);
  }

  @Patch('email-preferences')
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  @ApiOkResponse({ type: EmailPreferencesDto })
  async updatePreferences(@Ctx() ctx: RequestContext, @Body() body: UpdateEmailPreferencesDto) {
    const next = { ...(await this.repository.preferences(ctx.em, ctx.user.userId)), ...body };
    await this.repository.savePreferences(ctx.em, ctx.user.userId, next);
    return next;
  }
}

/** An organization's account policy (owners: the same permission as single sign-on). */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller('orgs/:org/security')
export class OrgSecurityController {
  constructor(
    private readonly repository: AccountRepository,
    private readonly accessEvents: AccessEvents,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @RequirePermission(OrgPermission.SsoManage)
  @ApiOkResponse({ type: OrgSecurityDto })
  async get(@Ctx() ctx: RequestContext) {
    return { requireTwoFactor: await this.repository.orgRequiresTwoFactor(ctx.em, ctx.organization.id) };
  }

  @Put()
  @RequirePermission(OrgPermission.SsoManage)
  @ApiOkResponse({ type: OrgSecurityDto })
  async put(@Ctx() ctx: RequestContext, @Body() body: OrgSecurityDto) {
    // Whoever turns it on must have it, or they would lock themselves out (two-factor rows are account rows: system scope).
    if (body.requireTwoFactor && !(await this.repository.twoFactorEnabled(this.dataSource, ctx.user.userId))) throw twoFactorRequired();
    await this.repository.setOrgRequiresTwoFactor(ctx.em, ctx.organization.id, body.requireTwoFactor);
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => this.accessEvents.emit('changed', { organizationId }));
    return body;
  }
}
