import { Injectable } from '@nestjs/common';
import type { Notification } from '@trackbase/contracts';
import { TypedEvents } from '../common/events/typed-events';

export interface NotificationCreated {
  organizationId: string;
  userId: string;
  notification: Notification;
}

/** New notifications once committed, for the realtime gateway. */
@Injectable()
export class NotificationEvents extends TypedEvents<{ notification: NotificationCreated }> {}
