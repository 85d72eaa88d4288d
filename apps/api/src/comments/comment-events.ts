import { Injectable } from '@nestjs/common';
import type { Comment, Notification } from '@trackbase/contracts';
import { TypedEvents } from '../common/events/typed-events';

export interface CommentChanged {
  organizationId: string;
  projectId: string;
  runId: string | null;
  change: 'created' | 'updated' | 'deleted';
  comment: Comment;
}

export interface NotificationCreated {
  organizationId: string;
  userId: string;
  notification: Notification;
}

/** Committed comment changes and new notifications, for the realtime gateway. */
@Injectable()
export class CommentEvents extends TypedEvents<{ comment: CommentChanged; notification: NotificationCreated }> {}
