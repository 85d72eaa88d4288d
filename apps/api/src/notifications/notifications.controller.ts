import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GlobalPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { NotificationsService } from './notifications.service';
import { NotificationListDto, MarkReadDto, ListQueryDto } from './dto/notifications.dto';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('users/me/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @RequirePermission(GlobalPermission.Authenticated)
  @ApiOkResponse({ type: NotificationListDto })
  list(@Ctx() ctx: RequestContext, @Query() query: ListQueryDto) {
    return this.notifications.list(ctx, query);
  }

  @Post('read')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Authenticated)
  markRead(@Ctx() ctx: RequestContext, @Body() body: MarkReadDto) {
    return this.notifications.markRead(ctx, body);
  }
}
