import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** Someone's access in an organization may have shrunk; `userId` absent means anyone's. */
export interface AccessChanged {
  organizationId: string;
  userId?: string;
}

/**
 * Raised after commit when memberships, roles or visibility change, so that
 * live subscriptions (websocket rooms) are checked again.
 */
@Injectable()
export class AccessEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit(event: AccessChanged): void {
    this.emitter.emit('changed', event);
  }

  on(listener: (event: AccessChanged) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }
}
