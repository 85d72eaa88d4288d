import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GlobalPermission, markNotificationsReadRequestSchema, notificationListSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { NotificationsService } from './notifications.service';

class NotificationListDto extends createZodDto(notificationListSchema) {}
class MarkReadDto extends createZodDto(markNotificationsReadRequestSchema) {}
class ListQueryDto extends createZodDto(
  z.strictObject({
    unread: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  }),
) {}

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
