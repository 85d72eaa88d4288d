import { Injectable } from '@nestjs/common';
import { TypedEvents } from '../events/typed-events';

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
export class AccessEvents extends TypedEvents<{ changed: AccessChanged }> {}
