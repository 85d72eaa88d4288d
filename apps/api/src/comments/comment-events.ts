import { Injectable } from '@nestjs/common';
import type { Comment, Notification } from '@trackbase/contracts';
import { EventEmitter } from 'node:events';

export interface CommentChanged {
  organizationId: string;
  projectId: string;
  runId: string | null;
  change: 'created' | 'updated' | 'deleted';
  comment: Comment;
}

export interface NotificationCreated {
  userId: string;
  notification: Notification;
}

/** After-commit events of comments and notifications, for the realtime gateway. */
@Injectable()
export class CommentEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emitComment(event: CommentChanged): void {
    this.emitter.emit('comment', event);
  }
  onComment(listener: (event: CommentChanged) => void): () => void {
    this.emitter.on('comment', listener);
    return () => this.emitter.off('comment', listener);
  }
  emitNotification(event: NotificationCreated): void {
    this.emitter.emit('notification', event);
  }
  onNotification(listener: (event: NotificationCreated) => void): () => void {
    this.emitter.on('notification', listener);
    return () => this.emitter.off('notification', listener);
  }
}
