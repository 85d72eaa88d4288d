import { Injectable } from '@nestjs/common';
import type { Comment } from '@trackbase/contracts';
import { TypedEvents } from '../common/events/typed-events';

export interface CommentChanged {
  organizationId: string;
  /** Null for a report's comment (reportId set). */
  projectId: string | null;
  runId: string | null;
  reportId: string | null;
  change: 'created' | 'updated' | 'deleted';
  comment: Comment;
}

/** Committed comment changes, for the realtime gateway (new notifications: NotificationEvents). */
@Injectable()
export class CommentEvents extends TypedEvents<{ comment: CommentChanged }> {}
