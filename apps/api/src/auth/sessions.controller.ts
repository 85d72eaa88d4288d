import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GlobalPermission, type Session } from '@trackbase/contracts';
import { RequirePermission, RequireSession } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { IdParamDto } from '../common/validation/id-params';
import { SessionsRepository } from './sessions.repository';
import { TokensService } from './tokens.service';
import { SessionDto } from './dto/sessions.dto';

/** The caller's sign-in sessions, listed and revoked one by one (a person's business: keys are refused). */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokensService,
  ) {}

  @Get()
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  @ApiOkResponse({ type: [SessionDto] })
  async list(@Ctx() ctx: RequestContext): Promise<Session[]> {
    const rows = await this.sessions.live(ctx.em, ctx.user.userId);
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastActiveAt: r.last_active_at.toISOString(),
      current: r.id === ctx.user.sessionId,
    }));
  }

  /** Ends the session: its refresh token stops working, its access tokens and sockets at once. */
  @Delete(':id')
  @HttpCode(204)
  @RequirePermission(GlobalPermission.Authenticated)
  @RequireSession()
  async revoke(@Ctx() ctx: RequestContext, @Param() params: IdParamDto): Promise<void> {
    if (!(await this.sessions.revoke(ctx.em, ctx.user.userId, params.id, 'revoked_by_user'))) throw notFound('session');
    ctx.afterCommit(() => this.tokens.sessionEnded(params.id));
  }
}
