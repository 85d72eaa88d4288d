import { Controller, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { GlobalPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { escapeHtml } from '../mail/mail-template';
import { invalidAccountToken } from './account.errors';
import { AccountRepository } from './account.repository';
import { UnsubscribeParamDto } from './dto/account.dto';
import { EmailNotificationsService } from './email-notifications.service';

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;max-width:480px;margin:64px auto;padding:0 16px"><h1 style="font-size:20px">${escapeHtml(title)}</h1>${body}</body></html>`;

/**
 * One-click unsubscribe from notification emails (RFC 8058): mail clients POST to the link of `List-Unsubscribe`;
 * a person opening the link (GET) gets a page with one button, so a mail scanner following links changes nothing.
 * The token is signed by the server and names the user and the kind of email.
 */
@ApiTags('users')
@Controller('email/unsubscribe')
@UseGuards(ThrottlerGuard)
export class UnsubscribeController {
  constructor(
    private readonly notifications: EmailNotificationsService,
    private readonly repository: AccountRepository,
  ) {}

  @Get(':token')
  @RequirePermission(GlobalPermission.Public)
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
  confirm(@Param() params: UnsubscribeParamDto): string {
    const found = this.notifications.readUnsubscribeToken(params.token);
    if (!found) throw invalidAccountToken();
    const what = found.category === 'comments' ? 'mention and reply emails' : 'emails about your runs';
    return page(
      'Unsubscribe',
      `<p>Stop ${escapeHtml(what)}?</p><form method="post"><button type="submit" style="padding:8px 16px">Unsubscribe</button></form>`,
    );
  }

  @Post(':token')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Public)
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  async unsubscribe(@Ctx() ctx: RequestContext, @Param() params: UnsubscribeParamDto): Promise<string> {
    const found = this.notifications.readUnsubscribeToken(params.token);
    if (!found) throw invalidAccountToken();
    await this.repository.unsubscribe(ctx.em, found.userId, found.category);
    return page('Unsubscribed', '<p>You will not get these emails any more. You can turn them back on from your account page.</p>');
  }
}
