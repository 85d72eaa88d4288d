import { Injectable } from '@nestjs/common';
import type { Comment } from '@trackbase/contracts';
import { TypedEvents } from '../common/events/typed-events';

export interface CommentChanged {
  organizationId: string;
  projectId: string;
  runId: string | null;
  change: 'created' | 'updated' | 'deleted';
  comment: Comment;
}

/** Committed comment changes, for the realtime gateway (new notifications: NotificationEvents). */
@Injectable()
export class CommentEvents extends TypedEvents<{ comment: CommentChanged }> {}
