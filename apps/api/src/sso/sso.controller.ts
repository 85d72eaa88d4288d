import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Redirect, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { GlobalPermission } from '@trackbase/contracts';
import type { Request, Response } from 'express';
import { TokenPairDto } from '../auth/dto/auth.dto';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { inScopedTransaction } from '../database/tenant-scope';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SamlSignInService } from './saml-sign-in.service';
import { SSO_BROWSER_COOKIE, SsoSignInService } from './sso-sign-in.service';
import { DiscoverQueryDto, StartQueryDto, OrgParamDto, DiscoveryDto, ExchangeDto, SamlAcsDto, SamlReturnQueryDto } from './dto/sso.dto';

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Signing in through an organization's identity provider. */
@ApiTags('auth')
@Controller('auth/sso')
@UseGuards(ThrottlerGuard)
export class SsoController {
  constructor(
    private readonly signIn: SsoSignInService,
    private readonly saml: SamlSignInService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Whether an email signs in through an organization's provider (its domain is one the organization claimed). */
  @Get('discover')
  @RequirePermission(GlobalPermission.Public)
  @ApiOkResponse({ type: DiscoveryDto })
  discover(@Ctx() ctx: RequestContext, @Query() query: DiscoverQueryDto) {
    return this.signIn.discover(ctx.em, query.email);
  }

  /**
   * Sends the browser to the provider; a cookie ties the sign-in to this browser. The redirect is answered by Nest
   * after the handler, so after the sign-in attempt is committed (a provider that answers at once finds it).
   */
  @Get(':org/start')
  @Redirect()
  @RequirePermission(GlobalPermission.Public)
  async start(
    @Ctx() ctx: RequestContext,
    @Param() params: OrgParamDto,
    @Query() query: StartQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ url: string; statusCode: number }> {
    const started = await this.signIn.start(ctx.em, ctx.origin, params.org, query.returnTo);
    response.cookie(SSO_BROWSER_COOKIE, started.browserSecret, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.origin.startsWith('https:'),
      path: '/api/v1/auth/sso',
      maxAge: 15 * 60_000,
    });
    return { url: started.location, statusCode: 302 };
  }

  /**
   * The provider's redirect. On success the browser goes on to the web app with a one-time code in the fragment.
   * A browser (Accept: text/html) that fails here is sent to the sign-in page with the error code; other callers get
   * the error as JSON.
   */
  @Get(':org/callback')
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  async callback(
    @Ctx() ctx: RequestContext,
    @Param() params: OrgParamDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    response.clearCookie(SSO_BROWSER_COOKIE, { path: '/api/v1/auth/sso' });
    try {
      const next = await this.signIn.callback(
        ctx.origin,
        params.org,
        new URL(request.originalUrl, ctx.origin),
        cookie(request, SSO_BROWSER_COOKIE),
      );
      response.redirect(302, next);
    } catch (error) {
      if (error instanceof AppError && (request.headers.accept ?? '').includes('text/html')) {
        response.redirect(302, `/login?sso_error=${encodeURIComponent(error.code)}`);
        return;
      }
      throw error;
    }
  }

  /** SAML: this service provider's metadata (its URL is the entity id), to register at the IdP. */
  @Get(':org/saml/metadata')
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  @Header('content-type', 'application/samlmetadata+xml; charset=utf-8')
  samlMetadata(@Ctx() ctx: RequestContext, @Param() params: OrgParamDto) {
    return this.saml.metadata(ctx.origin, params.org);
  }

  /**
   * SAML: the assertion consumer service (HTTP-POST binding). A valid response sends the browser on to `saml/return`
   * on this site (303); a browser whose response is refused is sent to the sign-in page with the error code.
   */
  @Post(':org/saml/acs')
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  async samlAcs(
    @Ctx() ctx: RequestContext,
    @Param() params: OrgParamDto,
    @Body() body: SamlAcsDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.answerBrowser(request, response, () => this.saml.acs(ctx.origin, params.org, body.SAMLResponse, body.RelayState), 303);
  }

  /** SAML: back on this site from the ACS, with the cookie of the browser that started the sign-in. */
  @Get(':org/saml/return')
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  async samlReturn(
    @Param() params: OrgParamDto,
    @Query() query: SamlReturnQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    response.clearCookie(SSO_BROWSER_COOKIE, { path: '/api/v1/auth/sso' });
    await this.answerBrowser(request, response, () => this.saml.finish(params.org, query.state, cookie(request, SSO_BROWSER_COOKIE)), 302);
  }

  private async answerBrowser(request: Request, response: Response, next: () => Promise<string>, status: number): Promise<void> {
    try {
      response.redirect(status, await next());
    } catch (error) {
      if (error instanceof AppError && (request.headers.accept ?? '').includes('text/html')) {
        response.redirect(303, `/login?sso_error=${encodeURIComponent(error.code)}`);
        return;
      }
      throw error;
    }
  }

  /** The web app trades the callback's one-time code for the session's tokens. */
  @Post('exchange')
  @HttpCode(200)
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  @Throttle({ default: { limit: 600, ttl: 60_000 } })
  @ApiOkResponse({ type: TokenPairDto })
  exchange(@Body() body: ExchangeDto) {
    return inScopedTransaction(this.dataSource, { kind: 'system' }, (em) => this.signIn.exchange(em, body.code));
  }
}
